"""Large blocks freed go back to the system: glibc's mmap threshold stays fixed.

Checked in a fresh interpreter, whose heap has no large free chunks yet (malloc serves a
block from a free chunk that fits before it maps one, threshold or not)."""

from __future__ import annotations

import ctypes
import subprocess
import sys

import pytest

from sfa_desktop.sync.large_blocks import map_large_blocks

glibc_only = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not hasattr(ctypes.CDLL(None), "mallinfo2"),
    reason="glibc's malloc (mallinfo2, glibc >= 2.33) only",
)

# Prints how many more blocks glibc maps of their own (mallinfo2's hblks) while a 512 KiB
# block is held, after an 8 MiB block was freed (which raises glibc's own threshold to
# 8 MiB unless it was fixed).
_PROBE = """
import ctypes, sys
from sfa_desktop.sync.large_blocks import map_large_blocks
FIELDS = "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost"
class Info(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in FIELDS.split()]
mallinfo2 = ctypes.CDLL(None).mallinfo2
mallinfo2.restype = Info
if sys.argv[1] == "fixed":
    assert map_large_blocks()
big = bytearray(8 * 2**20)
del big
before = mallinfo2().hblks
block = bytearray(512 * 1024)
print(mallinfo2().hblks - before)
"""


def _new_mappings(mode: str) -> int:
    command = [sys.executable, "-c", _PROBE, mode]
    return int(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


@glibc_only
def test_a_512_kib_block_is_mapped_even_after_an_8_mib_one_was_freed() -> None:
    assert _new_mappings("fixed") == 1


@glibc_only
def test_the_probe_sees_the_difference_glibcs_own_threshold_makes() -> None:
    """The oracle can fail: with glibc's adjusting threshold the block comes from the heap."""
    assert _new_mappings("default") == 0


def test_elsewhere_it_is_a_no_op(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    assert not map_large_blocks()

"""Large heap blocks handed back to the system when freed (glibc; elsewhere already so).

glibc serves a block of 128 KiB or more with its own mapping and unmaps it when freed,
but each such free raises that threshold to the block's size (up to 32 MiB): after the
first pulled page is freed, the next pages' multi-MB bodies, record lists and row strings
come from the heap, and the holes they leave stay resident. At 535k records that kept
~70 MiB of freed pages in a download's peak RSS (335 vs 262 MiB). A fixed threshold turns
the adjustment off. Windows' heap and macOS's malloc map blocks this large directly and
return them on free, so they need nothing.
"""

from __future__ import annotations

import ctypes
import sys

M_MMAP_THRESHOLD = -3  # mallopt's parameter number in glibc's malloc.h
LARGE_BLOCK = 128 * 1024  # glibc's own starting threshold


def map_large_blocks() -> bool:
    """Fix glibc's mmap threshold at LARGE_BLOCK (process-wide, idempotent); False where
    there is no glibc mallopt (Windows, macOS, musl answers 0)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, LARGE_BLOCK))

"""Which text encoding a file is in: byte order mark first, then UTF-8, then a guess.

Excel and Outlook write CSV as UTF-8 with a BOM ("CSV UTF-8"), UTF-16 LE with a BOM
("Unicode text") or in the Windows code page of the machine (cp1252 in Western Europe
and the Americas). Guessing works on a sample: a UTF-16 file without BOM shows as NUL
bytes in every other position; anything that is valid UTF-8 is UTF-8; otherwise each
plausible code page decodes the sample and the least garbled result wins
(charset-normalizer's mess ratio, then the share of letters among non-ASCII characters),
cp1252 first on a tie because that is what Windows wrote.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from sfa_desktop.interchange.errors import InterchangeError, NotText

# (BOM, codec that consumes it); UTF-32 before UTF-16, whose BOM is a prefix of UTF-32 LE's.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# File signatures of formats people rename to .csv by mistake.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "an Excel workbook (.xlsx) or another zip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel workbook (.xls) or another Office file"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
)
# C0 control characters other than TAB, LF, FF and CR: no text encoding we read uses them.
_CONTROL_BYTES = bytes([*range(0, 9), 11, *range(14, 32)])
# Tried on every sample that is not UTF-8, besides what charset-normalizer proposes.
_ALWAYS_TRY = ("cp1252", "cp1250", "cp1251", "iso8859_15")

# What the wizard offers (codec, label); the detected encoding may be another one.
COMMON_ENCODINGS: tuple[tuple[str, str], ...] = (
    ("utf-8-sig", "Unicode (UTF-8)"),
    ("utf-16", "Unicode (UTF-16 with byte order mark)"),
    ("utf-16-le", "Unicode (UTF-16 LE)"),
    ("utf-16-be", "Unicode (UTF-16 BE)"),
    ("cp1252", "Western European (Windows-1252)"),
    ("latin-1", "Western European (ISO-8859-1)"),
    ("iso8859-15", "Western European (ISO-8859-15)"),
    ("mac-roman", "Western European (Mac OS Roman)"),
    ("cp850", "Western European (DOS 850)"),
    ("cp1250", "Central European (Windows-1250)"),
    ("cp1251", "Cyrillic (Windows-1251)"),
    ("cp1253", "Greek (Windows-1253)"),
    ("cp1254", "Turkish (Windows-1254)"),
    ("shift_jis", "Japanese (Shift JIS)"),
    ("gb18030", "Chinese Simplified (GB18030)"),
    ("big5", "Chinese Traditional (Big5)"),
    ("euc-kr", "Korean (EUC-KR)"),
)


@dataclass(frozen=True)
class DetectedEncoding:
    """The codec to read a file with, and how it was found (shown in the wizard)."""

    codec: str
    reason: str

    @property
    def label(self) -> str:
        name = codecs.lookup(self.codec).name
        for codec, label in COMMON_ENCODINGS:
            if codecs.lookup(codec).name == name:
                return label
        return name


def check_codec(codec: str) -> str:
    """`codec` if Python knows it as a text encoding; InterchangeError otherwise."""
    try:
        info = codecs.lookup(codec)
    except LookupError:
        raise InterchangeError(f"{codec!r} is not a known text encoding") from None
    if not getattr(info, "_is_text_encoding", True):
        raise InterchangeError(f"{codec!r} is not a text encoding")
    return codec


def detect_encoding(sample: bytes, whole_file: bool = False) -> DetectedEncoding:
    """The encoding of a file that starts with `sample` (`whole_file`: nothing follows).

    NotText for a binary file (a workbook, an archive, an image)."""
    for bom, codec in _BOMS:
        if sample.startswith(bom):
            return DetectedEncoding(codec, "byte order mark")
    for magic, what in _MAGIC:
        if sample.startswith(magic):
            raise NotText(
                f"This is {what}, not a text file. Save it as CSV (UTF-8) and import that."
            )
    utf16 = _utf16_without_bom(sample)
    if utf16 is not None:
        return DetectedEncoding(utf16, "UTF-16 without byte order mark (NUL byte pattern)")
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if controls > max(8, len(sample) // 20):
        raise NotText("This file holds binary data (control characters), not text.")
    if _decodes(sample, "utf-8", whole_file):
        ascii_only = sample.isascii()
        return DetectedEncoding("utf-8-sig", "plain ASCII" if ascii_only else "valid UTF-8")
    return _best_code_page(sample, whole_file)


def _utf16_without_bom(sample: bytes) -> str | None:
    """utf-16-le/-be when every other byte is NUL (text that is mostly ASCII)."""
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even = sample[0 : 2 * pairs : 2].count(0) / pairs
    odd = sample[1 : 2 * pairs : 2].count(0) / pairs
    for codec, zeros, others in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if zeros > 0.3 and others < 0.05 and _decodes(sample[: 2 * pairs], codec, False):
            return codec
    return None


def _decodes(sample: bytes, codec: str, final: bool) -> bool:
    try:
        codecs.getincrementaldecoder(codec)().decode(sample, final)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _candidates(sample: bytes) -> list[str]:
    from charset_normalizer import from_bytes

    proposed = [match.encoding for match in from_bytes(sample, steps=5, chunk_size=512)]
    ordered = ["cp1252", *proposed[:8], *_ALWAYS_TRY]
    return list(dict.fromkeys(codecs.lookup(name).name for name in ordered))


def _best_code_page(sample: bytes, whole_file: bool) -> DetectedEncoding:
    from charset_normalizer.md import mess_ratio

    scored: list[tuple[float, float, int, str]] = []
    for rank, codec in enumerate(_candidates(sample)):
        try:
            text = codecs.getincrementaldecoder(codec)().decode(sample, whole_file)
        except UnicodeDecodeError:
            continue
        scored.append((round(mess_ratio(text, 1.0), 2), -_letter_share(text), rank, codec))
    if not scored:
        return DetectedEncoding("latin-1", "no other encoding fits; every byte is a character")
    mess, _letters, _rank, codec = min(scored)
    return DetectedEncoding(codec, f"best guess (garbled characters: {mess:.0%})")


def _letter_share(text: str) -> float:
    """Share of letters among the non-ASCII characters (a wrong code page makes symbols)."""
    wide = [c for c in text if ord(c) > 127]
    return round(sum(c.isalpha() for c in wide) / len(wide), 2) if wide else 1.0

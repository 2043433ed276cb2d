"""A text file as numbered lines, decoded and split as it is read, within limits.

Nothing reads a file whole: bytes come in chunks through an incremental decoder, lines
are split on CRLF, LF or a lone CR (mixed endings are fine) and handed out with their
ending, as the csv module wants them. A line longer than the limit, bytes that do not
decode and a file over the size limit stop the read with an error naming the line.
NUL characters are dropped (and the lines that had them remembered), and a byte order
mark at the start of a line (files pasted together) is dropped too.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

from sfa_desktop.interchange.errors import BadEncoding, FileTooLarge, LineTooLong
from sfa_desktop.interchange.limits import MIB, Limits

_EOL = re.compile(r"\r\n|\r|\n")


def check_size(path: Path, limits: Limits) -> int:
    """The file's size in bytes; FileTooLarge past the limit."""
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise FileTooLarge(
            f"{path.name} has {size / MIB:.1f} MB; files up to {limits.max_bytes // MIB} MB "
            "can be imported. Split it into smaller files."
        )
    return size


def read_sample(path: Path, limits: Limits) -> tuple[bytes, bool]:
    """The first `sample_bytes` of the file and whether that is the whole file."""
    check_size(path, limits)
    with path.open("rb") as handle:
        sample = handle.read(limits.sample_bytes + 1)
    whole = len(sample) <= limits.sample_bytes
    return sample[: limits.sample_bytes], whole


class TextLines:
    """Iterate the lines of `path` decoded with `codec`; `line_no` is the last line given.

    A line longer than `max_line_chars` raises LineTooLong, or with `truncate_long_lines`
    is cut there (the rest is read and dropped) and `last_truncated` is set for it.
    `digest` (SHA-256 of the bytes read) is complete once the iteration has ended."""

    def __init__(
        self, path: Path, codec: str, limits: Limits, truncate_long_lines: bool = False
    ) -> None:
        self.path = path
        self.codec = codec
        self.limits = limits
        self.truncate_long_lines = truncate_long_lines
        self.last_truncated = False
        self.line_no = 0
        self._nul_lines: list[int] = []
        self._hash = hashlib.sha256()
        self._consumed = 0
        self._lines = self._generate()

    def __iter__(self) -> TextLines:
        return self

    def __next__(self) -> str:
        return next(self._lines)

    @property
    def digest(self) -> str:
        return self._hash.hexdigest()

    def take_nul_lines(self) -> list[int]:
        """Lines (since the last call) that held NUL characters, which were removed."""
        taken, self._nul_lines = self._nul_lines, []
        return taken

    def _generate(self) -> Iterator[str]:
        check_size(self.path, self.limits)
        decoder = codecs.getincrementaldecoder(self.codec)(errors="strict")
        pending = ""
        read = 0
        discarding = False
        with self.path.open("rb") as handle:
            while True:
                chunk = handle.read(self.limits.chunk_bytes)
                read += len(chunk)
                if read > self.limits.max_bytes:  # the file grew while we read it
                    raise FileTooLarge(f"{self.path.name} grew past the size limit while read")
                self._hash.update(chunk)
                final = not chunk
                pending += self._decode(decoder, chunk, final, pending)
                if discarding:  # the rest of a line cut at the limit
                    end = _EOL.search(pending)
                    pending = pending[end.end() :] if end else ""
                    discarding = end is None
                yield from self._split(pending, final)
                pending = pending[self._consumed :]
                if len(pending) > self.limits.max_line_chars:
                    if not self.truncate_long_lines:
                        raise LineTooLong(
                            f"Line {self.line_no + 1} is longer than "
                            f"{self.limits.max_line_chars:,} characters; this is not a CSV or "
                            "vCard file, or its lines do not end.",
                            self.line_no + 1,
                        )
                    cut = self._line(pending[: self.limits.max_line_chars])
                    self.last_truncated = True
                    yield cut
                    pending, discarding = "", True
                if final:
                    return

    def _split(self, text: str, final: bool) -> Iterator[str]:
        start = 0
        for match in _EOL.finditer(text):
            end = match.end()
            if end == len(text) and match.group() == "\r" and not final:
                break  # a CR at the end of a chunk may be the first half of CRLF
            yield self._line(text[start:end])
            start = end
        if final and start < len(text):
            yield self._line(text[start:])
            start = len(text)
        self._consumed = start

    def _line(self, line: str) -> str:
        self.line_no += 1
        self.last_truncated = False
        if "\x00" in line:
            line = line.replace("\x00", "")
            self._nul_lines.append(self.line_no)
        return line.lstrip("\ufeff") if line.startswith("\ufeff") else line

    def _decode(
        self, decoder: codecs.IncrementalDecoder, chunk: bytes, final: bool, pending: str
    ) -> str:
        buffered = decoder.getstate()[0]
        try:
            return decoder.decode(chunk, final)
        except UnicodeDecodeError as error:
            data = buffered + chunk
            before = data[: error.start].decode(self.codec, errors="replace")
            line = self.line_no + len(_EOL.findall(pending + before)) + 1
            bad = data[error.start : error.end][:4].hex(" ")
            raise BadEncoding(
                f"Line {line} is not valid {self._codec_label()} text (bytes {bad}). "
                "Choose the file's encoding (often Windows-1252 or UTF-16) and try again.",
                line,
            ) from None

    def _codec_label(self) -> str:
        from sfa_desktop.interchange.encoding import DetectedEncoding

        return DetectedEncoding(self.codec, "").label

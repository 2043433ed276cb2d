"""Hard limits on what an import reads, so a hostile or broken file cannot exhaust memory."""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What an import accepts. A file past a limit is refused with a message naming it."""

    max_bytes: int = 50 * MIB  # the whole file
    max_rows: int = 200_000  # data rows of a CSV file, cards of a vCard file
    max_field_chars: int = 64 * 1024  # one CSV value (csv.field_size_limit)
    max_columns: int = 500  # columns of the header row (and of any row)
    max_line_chars: int = 1 * MIB  # one physical line (a line that never ends)
    max_card_chars: int = 256 * 1024  # one vCard, without the photos it drops
    chunk_bytes: int = 64 * 1024  # how much is read (and decoded) at a time
    sample_bytes: int = 64 * 1024  # what encoding and dialect detection look at

    def describe(self) -> str:
        return (
            f"files up to {self.max_bytes // MIB} MB, {self.max_rows:,} rows, "
            f"{self.max_columns} columns, {self.max_field_chars // 1024} KB per value"
        )


DEFAULT_LIMITS = Limits()

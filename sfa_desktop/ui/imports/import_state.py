"""What the import wizard's pages share: the file, the mapping, the analysis, the decisions.

Plain Python (no widgets), so the pages stay thin and the helpers are easy to test. The
reading helpers (`read_start`, `reread`) run on a background thread; the source they hand
back is copied before an analysis, so a preview read on the main thread never disturbs it.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sfa_desktop.core.entities import MODELS
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.rules.matching import DEFAULT_REGION
from sfa_desktop.interchange import (
    Action,
    Analysis,
    ColumnMapping,
    CsvSource,
    ImportResult,
    Resolution,
    RowStatus,
    Source,
    SourceRow,
    ValueFormat,
    first_rows,
    open_source,
)

SOURCE, FORMAT, COLUMNS, CHECK, CONFIRM, RESULT = range(6)  # the wizard's page ids
SAMPLE_ROWS = 20
KINDS = (EntityKind.CONTACT, EntityKind.ACCOUNT, EntityKind.LEAD)


def plural(kind: EntityKind, count: int | None = None) -> str:
    """'contacts', or '1 contact' / '3 contacts' with a count."""
    noun = MODELS[kind].plural_name()
    if count is None:
        return noun
    return f"{count:,} {noun if count != 1 else kind.value.replace('_', ' ')}"


def read_start(path: str) -> tuple[Source, list[SourceRow]]:
    """Open a file (format sniffed) and read its first rows: fails early on a bad file."""
    source = open_source(path)
    return source, first_rows(source, SAMPLE_ROWS)


def reread(source: CsvSource, changes: Mapping[str, Any]) -> tuple[Source, list[SourceRow]]:
    """The same CSV file read another way, with its first rows."""
    changed = source.with_format(**changes)
    return changed, first_rows(changed, SAMPLE_ROWS)


def samples(rows: list[SourceRow], column: int, count: int = 3) -> str:
    """The first non-empty values of a column, for the mapping table."""
    found: list[str] = []
    for row in rows:
        value = row.values[column].strip() if column < len(row.values) else ""
        if value and value not in found:
            found.append(" ".join(value.split())[:60])
        if len(found) >= count:
            break
    return "  ·  ".join(found)


def record_label(kind: EntityKind, fields: Mapping[str, Any]) -> str:
    """How a row's record is named in the report: the person or the company."""
    text = {key: str(value) for key, value in fields.items() if isinstance(value, str)}
    if kind is EntityKind.ACCOUNT:
        return text.get("name", "")
    person = f"{text.get('first_name', '')} {text.get('last_name', '')}".strip()
    company = text.get("company", "")
    if person and company:
        return f"{person} ({company})"
    return person or company or text.get("email", "")


@dataclass(frozen=True)
class Outcome:
    """What the commit will do with the analysed rows and the user's decisions."""

    create: int
    merge: int
    skip: int
    errors: int
    undecided: int
    new_accounts: int

    @property
    def writes(self) -> int:
        return self.create + self.merge


@dataclass
class ImportState:
    """Everything the wizard's pages read and change, page by page."""

    kind: EntityKind = EntityKind.CONTACT
    region: str = DEFAULT_REGION
    source: Source | None = None
    sample: list[SourceRow] = field(default_factory=list)
    decimal_comma: bool = False
    day_first: bool = False
    mapping: ColumnMapping | None = None
    mapped: tuple[int, EntityKind] | None = None  # (id of the source, kind) of `mapping`
    analysis: Analysis | None = None
    decisions: dict[int, Resolution] = field(default_factory=dict)
    undecided: Resolution | None = None  # for duplicates past the reported rows
    result: ImportResult | None = None

    def source_name(self) -> str:
        return self.source.path.name if self.source is not None else ""

    @property
    def is_csv(self) -> bool:
        return isinstance(self.source, CsvSource)

    def value_format(self) -> ValueFormat:
        return ValueFormat(self.region, self.decimal_comma, self.day_first)

    def set_source(self, source: Source, sample: list[SourceRow], fresh: bool) -> None:
        """A file just opened (`fresh`) or read another way; the old results go."""
        self.source, self.sample = source, sample
        if fresh:
            if isinstance(source, CsvSource):
                guess = ValueFormat.for_delimiter(source.format.delimiter, self.region)
                self.decimal_comma, self.day_first = guess.decimal_comma, guess.day_first
            else:
                self.decimal_comma = self.day_first = False
        self.mapping = self.mapped = None
        self.forget_analysis()

    def mapping_is_current(self) -> bool:
        return self.mapping is not None and self.mapped == (id(self.source), self.kind)

    def set_mapping(self, mapping: ColumnMapping) -> None:
        self.mapping, self.mapped = mapping, (id(self.source), self.kind)
        self.forget_analysis()

    def forget_analysis(self) -> None:
        self.analysis, self.decisions, self.undecided, self.result = None, {}, None, None

    def analysis_source(self) -> Source:
        """A copy of the source for a background read (its digest is its own)."""
        assert self.source is not None
        return copy.copy(self.source)

    # -- decisions ----------------------------------------------------------------------------

    def resolution(self, row: int) -> Resolution | None:
        """The user's decision for a duplicate row, else the engine's default."""
        if row in self.decisions:
            return self.decisions[row]
        assert self.analysis is not None
        report = next((r for r in self.analysis.duplicates() if r.row == row), None)
        return report.duplicate.default if report and report.duplicate else None

    def hidden_duplicates(self) -> int:
        """Weak duplicates past the reported rows (they follow `undecided`)."""
        if self.analysis is None:
            return 0
        return max(self.analysis.weak_duplicates - len(self.analysis.needs_decision()), 0)

    def waiting(self) -> list[int]:
        """Rows of weak duplicates nobody decided yet."""
        if self.analysis is None:
            return []
        return [r.row for r in self.analysis.needs_decision() if r.row not in self.decisions]

    def decide_all(self, merge: bool) -> None:
        """Every reported duplicate skipped, or merged into its best match."""
        assert self.analysis is not None
        for report in self.analysis.duplicates():
            assert report.duplicate is not None
            target = report.duplicate.best.key
            self.decisions[report.row] = (
                Resolution.merge(target=target) if merge else Resolution.skip()
            )
        self.undecided = Resolution.merge() if merge else Resolution.skip()

    def commit_undecided(self) -> Resolution | None:
        """What the commit does with duplicates the report could not list."""
        if self.hidden_duplicates():
            return self.undecided or Resolution.skip()
        return None

    def outcome(self) -> Outcome:
        analysis = self.analysis
        assert analysis is not None
        counts = analysis.counts
        create = counts.get(RowStatus.OK, 0) + counts.get(RowStatus.WARNING, 0)
        merge = skip = undecided = 0
        for report in analysis.duplicates():
            chosen = self.resolution(report.row)
            if chosen is None:
                undecided += 1
            elif chosen.action is Action.CREATE:
                create += 1
            elif chosen.action is Action.MERGE:
                merge += 1
            else:
                skip += 1
        reported_strong = sum(
            1 for r in analysis.duplicates() if r.duplicate and r.duplicate.strong
        )
        skip += max(analysis.strong_duplicates - reported_strong, 0)  # past the report: skipped
        hidden = self.hidden_duplicates()
        if hidden:
            bulk = self.commit_undecided() or Resolution.skip()
            if bulk.action is Action.MERGE:
                merge += hidden
            else:
                skip += hidden
        return Outcome(
            create,
            merge,
            skip,
            counts.get(RowStatus.ERROR, 0),
            undecided,
            len(analysis.new_accounts),
        )

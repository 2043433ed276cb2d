"""Rows checked before anything is written: a report per row, a preview of the first
rows, and the analysis of the whole file that the commit step works from.

Every row goes through `RowProcessor.process`: mapping and parsing (`convert`), the
record's own validation, for contacts the account it links to (an existing account with
the same name key or web domain, else one the import creates, once per company), and
duplicate matching (`duplicates`). The same processor runs again at commit, over the
same file in the same order, so the commit does exactly what the analysis showed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sfa_desktop.core.entities import Account
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.errors import InvalidRecord
from sfa_desktop.interchange.convert import AccountRef, Candidate, convert_row
from sfa_desktop.interchange.duplicates import (
    Duplicate,
    DuplicateFinder,
    ExistingRecords,
    Resolution,
    company_key,
    row_keys,
    row_label,
)
from sfa_desktop.interchange.errors import InterchangeError
from sfa_desktop.interchange.issues import Issue, Severity
from sfa_desktop.interchange.mapping import ColumnMapping
from sfa_desktop.interchange.source import Source, SourceRow
from sfa_desktop.interchange.values import ValueFormat

KEEP_REPORTS = 10_000  # reports an analysis keeps (rows with problems and duplicates)
# Up to this many rows the analysis keeps every converted row, and the commit writes
# those (the file is not read again); a larger file is read again at commit.
KEEP_ROWS = 20_000


@dataclass(frozen=True)
class ConvertedRow:
    row: int
    line: int
    candidate: Candidate


class RowStatus(StrEnum):
    OK = "ok"
    WARNING = "warning"  # imported; something was changed or left out
    ERROR = "error"  # not imported
    DUPLICATE = "duplicate"  # looks like an existing record or an earlier row


@dataclass(frozen=True)
class AccountLink:
    """The account a contact row goes to: an existing one, or one the import creates."""

    name: str
    account_id: str | None  # None: created by the import
    reason: str  # "same name", "same web domain", "same email domain", "new account"


@dataclass(frozen=True)
class RowReport:
    """What the import makes of one row."""

    row: int  # as the user sees it (see SourceRow)
    line: int
    status: RowStatus
    fields: Mapping[str, Any]  # the values that would be written
    issues: tuple[Issue, ...] = ()
    account: AccountLink | None = None
    duplicate: Duplicate | None = None
    account_fields: Mapping[str, Any] = field(default_factory=dict)  # a new account's

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity is Severity.WARNING]

    def messages(self) -> dict[str, list[str]]:
        """Field key ("" for the row as a whole) → its messages."""
        found: dict[str, list[str]] = {}
        for issue in self.issues:
            found.setdefault(issue.field, []).append(issue.message)
        return found


class RowProcessor:
    """Turns source rows into reports, remembering earlier rows (duplicates, new accounts)."""

    def __init__(
        self, mapping: ColumnMapping, fmt: ValueFormat, existing: ExistingRecords | None = None
    ) -> None:
        if existing is not None and existing.kind is not mapping.kind:
            raise ValueError("the existing records are of another kind than the mapping")
        self.mapping = mapping
        self.fmt = fmt
        self.existing = existing
        self.kind = mapping.kind
        self.finder = DuplicateFinder(existing)
        self.new_accounts: dict[str, str] = {}  # company name key → name (first spelling)
        self.new_addresses: dict[str, tuple[int, tuple[str, ...]]] = {}  # key → (row, address)

    def process(self, row: SourceRow) -> RowReport:
        return self.check(self.convert(row))

    def convert(self, row: SourceRow) -> ConvertedRow:
        return ConvertedRow(row.row, row.line, convert_row(row, self.mapping, self.fmt))

    def check(self, converted: ConvertedRow) -> RowReport:
        """Account link and duplicates of a converted row (rows are checked in order)."""
        row, candidate = converted, converted.candidate
        issues = list(candidate.issues)
        link: AccountLink | None = None
        account_fields: dict[str, Any] = {}
        if self.kind is EntityKind.CONTACT and candidate.account is not None and candidate.ok:
            link, account_fields = self._link(candidate.account, issues, row.row)
        if any(issue.is_error for issue in issues):
            return RowReport(row.row, row.line, RowStatus.ERROR, candidate.fields, tuple(issues))
        duplicate = self._duplicate(row.row, candidate, link)
        if duplicate is not None:
            status = RowStatus.DUPLICATE
        elif issues:
            status = RowStatus.WARNING
        else:
            status = RowStatus.OK
        return RowReport(
            row.row,
            row.line,
            status,
            candidate.fields,
            tuple(issues),
            link,
            duplicate,
            account_fields,
        )

    def _link(
        self, ref: AccountRef, issues: list[Issue], row: int = 0
    ) -> tuple[AccountLink | None, dict[str, Any]]:
        directory = self.existing.accounts if self.existing is not None else None
        if directory is not None:
            for value, table, reason in (
                (ref.domain, directory.by_domain, "same web domain"),
                (company_key(ref.name) if ref.name else None, directory.by_name, "same name"),
                (ref.email_domain, directory.by_domain, "same email domain"),
            ):
                if value and value in table:
                    account_id = table[value]
                    name = directory.names[account_id]
                    kept = directory.addresses.get(account_id, ())
                    _address_left_out(ref, name, kept, "its own", issues)
                    return AccountLink(name, account_id, reason), {}
        if not ref.name:
            return None, {}
        key = company_key(ref.name)
        fields = ref.account_fields()
        if key not in self.new_accounts:
            try:
                Account.parse(fields)
            except InvalidRecord as error:
                for name, message in error.errors.items():
                    issues.append(Issue(f"account {name}: {message}", "company"))
                return None, {}
        name = self.new_accounts.setdefault(key, ref.name)
        first_row, kept = self.new_addresses.setdefault(key, (row, ref.address))
        if first_row != row:
            _address_left_out(ref, name, kept, f"the one of row {first_row}", issues)
        return AccountLink(name, None, "new account"), fields

    def _duplicate(
        self, row: int, candidate: Candidate, link: AccountLink | None
    ) -> Duplicate | None:
        block = ""
        if link is not None:
            block = link.account_id or f"new:{company_key(link.name)}"
        region = self.fmt.region
        keys = row_keys(
            self.kind, candidate.fields, candidate.emails, candidate.phones, block, region
        )
        label = row_label(self.kind, candidate.fields, link.name if link else "")
        return self.finder.check(row, keys, label)


def _address_left_out(
    ref: AccountRef, name: str, kept: tuple[str, ...], whose: str, issues: list[Issue]
) -> None:
    """A warning when the row's address differs from the one its account keeps."""
    if not any(ref.address) or _folded(ref.address) == _folded(kept):
        return
    text = ", ".join(part.replace("\n", " ") for part in ref.address if part)
    issues.append(
        Issue.warning(f"address {text!r} left out: the account {name} keeps {whose}", "company")
    )


def _folded(address: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(" ".join(part.casefold().split()) for part in address)


def preview(
    source: Source,
    mapping: ColumnMapping,
    fmt: ValueFormat,
    existing: ExistingRecords | None = None,
    limit: int = 20,
) -> list[RowReport]:
    """The first `limit` rows as the import would take them, with their problems."""
    processor = RowProcessor(mapping, fmt, existing)
    reports: list[RowReport] = []
    rows = source.rows()
    try:
        for row in rows:
            reports.append(processor.process(row))
            if len(reports) >= limit:
                break
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()
    return reports


@dataclass(frozen=True)
class Analysis:
    """The whole file checked: counts, the rows that need attention, what commit needs."""

    source: Source
    mapping: ColumnMapping
    fmt: ValueFormat
    digest: str  # of the file as analysed; commit refuses a file that changed
    total: int
    counts: Mapping[RowStatus, int]
    reports: tuple[RowReport, ...]  # rows with problems or duplicates (first KEEP_REPORTS)
    new_accounts: tuple[str, ...]  # accounts the import creates (contacts)
    strong_duplicates: int
    weak_duplicates: int
    converted: tuple[ConvertedRow, ...] | None = None  # every row, for a small file

    @property
    def kind(self) -> EntityKind:
        return self.mapping.kind

    @property
    def truncated(self) -> bool:
        """More rows need attention than `reports` holds."""
        shown = sum(1 for r in self.reports if r.status is not RowStatus.OK)
        return shown < self.total - self.counts.get(RowStatus.OK, 0)

    def duplicates(self) -> list[RowReport]:
        return [r for r in self.reports if r.duplicate is not None]

    def needs_decision(self) -> list[RowReport]:
        """Duplicates without a default (weak matches): the user decides."""
        return [r for r in self.duplicates() if r.duplicate is not None and not r.duplicate.strong]

    def default_decisions(self) -> dict[int, Resolution]:
        """Row → resolution for every strong duplicate (skip)."""
        return {
            r.row: r.duplicate.default
            for r in self.duplicates()
            if r.duplicate is not None and r.duplicate.default is not None
        }

    def summary(self) -> str:
        ready = self.counts.get(RowStatus.OK, 0) + self.counts.get(RowStatus.WARNING, 0)
        parts = [f"{self.total:,} rows: {ready:,} ready"]
        if self.counts.get(RowStatus.WARNING):
            parts.append(f"{self.counts[RowStatus.WARNING]:,} of them with warnings")
        if self.counts.get(RowStatus.ERROR):
            parts.append(f"{self.counts[RowStatus.ERROR]:,} with errors (not imported)")
        duplicates = self.strong_duplicates + self.weak_duplicates
        if duplicates:
            parts.append(f"{duplicates:,} possible duplicates ({self.weak_duplicates:,} to decide)")
        if self.new_accounts:
            parts.append(f"{len(self.new_accounts):,} new accounts")
        return ", ".join(parts)


def analyse(
    source: Source,
    mapping: ColumnMapping,
    fmt: ValueFormat,
    existing: ExistingRecords | None,
    keep: int = KEEP_REPORTS,
) -> Analysis:
    """Read the whole file once: every row processed, counted, the ones to show kept."""
    problems = mapping.problems()
    if problems:
        raise InterchangeError(" ".join(problems))
    processor = RowProcessor(mapping, fmt, existing)
    counts: Counter[RowStatus] = Counter()
    kept: list[RowReport] = []
    strong = weak = 0
    converted: list[ConvertedRow] | None = []
    for row in source.rows():
        item = processor.convert(row)
        if converted is not None:
            converted.append(item)
            if len(converted) > KEEP_ROWS:
                converted = None
        report = processor.check(item)
        counts[report.status] += 1
        if report.duplicate is not None:
            strong += report.duplicate.strong
            weak += not report.duplicate.strong
        if report.status is not RowStatus.OK and len(kept) < keep:
            kept.append(report)
    digest = source.digest
    if digest is None:
        raise InterchangeError("the file was not read to its end")
    return Analysis(
        source=source,
        mapping=mapping,
        fmt=fmt,
        digest=digest,
        total=sum(counts.values()),
        counts=dict(counts),
        reports=tuple(kept),
        new_accounts=tuple(processor.new_accounts.values()),
        strong_duplicates=strong,
        weak_duplicates=weak,
        converted=tuple(converted) if converted is not None else None,
    )

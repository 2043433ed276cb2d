"""The accepted rows written to the store in ONE transaction (all or nothing).

The rows the analysis converted (every row of a file up to `KEEP_ROWS` rows; a larger
file is read again, streamed) are checked again against the store as it is now (account
links, duplicates) and become `Create` and `Update` operations that `Store.write_batch`
applies inside its transaction as they are produced. A file read again that changed
since the analysis (another digest) raises at the end of the read, inside the
transaction, so nothing is written.

Per row: an error is counted as failed; a duplicate follows the user's decision for its
row, else its default (skip a strong match); a row that became a weak duplicate only
now (the store changed) and has no decision follows `undecided`, else it is skipped.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sfa_desktop.core.entities import MODELS, Account, new_id
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.interchange.analysis import Analysis, RowProcessor, RowReport, RowStatus
from sfa_desktop.interchange.duplicates import Action, Resolution, company_key, load_existing
from sfa_desktop.interchange.errors import FileChanged, UndecidedDuplicates
from sfa_desktop.store import Changes, Store
from sfa_desktop.store.batch import Create, Update, is_empty


@dataclass(frozen=True)
class ImportResult:
    kind: EntityKind
    created: int
    updated: int  # existing records (or earlier rows' records) merged into
    skipped: int  # duplicates left out
    failed: int  # rows with errors, not imported
    accounts_created: int
    created_ids: tuple[str, ...]  # records made from rows (accounts made for contacts apart)
    account_ids: tuple[str, ...]
    changes: Changes

    def summary(self) -> str:
        text = f"{self.created:,} created, {self.updated:,} updated, {self.skipped:,} skipped"
        if self.failed:
            text += f", {self.failed:,} failed"
        if self.accounts_created:
            text += f"; {self.accounts_created:,} new accounts"
        return text


@dataclass
class _Tally:
    created: list[str] = field(default_factory=list)
    accounts: list[str] = field(default_factory=list)
    updated: int = 0
    skipped: int = 0
    failed: int = 0


def check_decisions(
    analysis: Analysis,
    decisions: Mapping[int, Resolution],
    undecided: Resolution | None,
) -> None:
    """UndecidedDuplicates when weak duplicates of the analysis have no decision."""
    if undecided is not None:
        return
    waiting = [r.row for r in analysis.needs_decision() if r.row not in decisions]
    hidden = analysis.weak_duplicates - len(analysis.needs_decision())
    if waiting or hidden > 0:
        count = len(waiting) + max(hidden, 0)
        rows = ", ".join(str(row) for row in waiting[:10])
        raise UndecidedDuplicates(
            f"{count:,} possible duplicates need a decision (skip, create or merge)"
            + (f": rows {rows}{' …' if len(waiting) > 10 else ''}" if rows else "")
        )


class _Plan:
    """Turns the reports of the second read into store operations."""

    def __init__(
        self,
        analysis: Analysis,
        processor: RowProcessor,
        decisions: Mapping[int, Resolution],
        undecided: Resolution | None,
    ) -> None:
        self.analysis = analysis
        self.processor = processor
        self.decisions = decisions
        self.undecided = undecided
        self.model = MODELS[analysis.kind]
        self.tally = _Tally()
        self.row_records: dict[int, str] = {}  # row → the record it became or went into
        self.new_accounts: dict[str, str] = {}  # company key → id of the account made

    def operations(self) -> Iterator[Create | Update]:
        if self.analysis.converted is not None:
            for item in self.analysis.converted:
                yield from self._row(self.processor.check(item))
            return
        source = self.analysis.source
        for row in source.rows():
            yield from self._row(self.processor.process(row))
        if source.digest != self.analysis.digest:
            raise FileChanged(
                f"{source.path.name} changed after it was checked; check it again and import."
            )

    def _resolution(self, report: RowReport) -> Resolution:
        assert report.duplicate is not None
        chosen = self.decisions.get(report.row) or report.duplicate.default or self.undecided
        return chosen or Resolution.skip()

    def _row(self, report: RowReport) -> Iterator[Create | Update]:
        if report.status is RowStatus.ERROR:
            self.tally.failed += 1
            return
        resolution = Resolution.create()
        if report.duplicate is not None:
            resolution = self._resolution(report)
        creating = resolution.action is Action.CREATE
        target = None if creating else self._target(report, resolution)
        if resolution.action is Action.SKIP:
            self.tally.skipped += 1
            if target is not None:
                self.row_records[report.row] = target
            return
        if resolution.action is Action.MERGE and target is not None:
            yield self._merge(report, target, resolution)
            self.tally.updated += 1
            self.row_records[report.row] = target
            return
        fields = dict(report.fields)
        fields["id"] = new_id()
        if report.account is not None:
            account_id = report.account.account_id
            if account_id is None:
                account_id = yield from self._new_account(report)
            fields["account_id"] = account_id
        yield Create(self.model, fields)
        self.tally.created.append(fields["id"])
        self.row_records[report.row] = fields["id"]

    def _target(self, report: RowReport, resolution: Resolution) -> str | None:
        """The record a merge (or a skip) refers to, if it exists or is being made."""
        assert report.duplicate is not None
        wanted = resolution.target or report.duplicate.best.key
        if wanted.startswith("row:"):
            return self.row_records.get(int(wanted.removeprefix("row:")))
        return wanted

    def _merge(self, report: RowReport, target: str, resolution: Resolution) -> Update:
        values = {k: v for k, v in report.fields.items() if not is_empty(v)}
        if report.account is not None and report.account.account_id is not None:
            values["account_id"] = report.account.account_id
        overwrite = {k: v for k, v in values.items() if k in resolution.overwrite}
        fill = {k: v for k, v in values.items() if k not in resolution.overwrite}
        return Update(self.model, target, changes=overwrite, fill_empty=fill)

    def _new_account(self, report: RowReport) -> Generator[Create | Update, None, str]:
        assert report.account is not None
        key = company_key(report.account.name)
        made = self.new_accounts.get(key)
        if made is None:
            made = new_id()
            self.new_accounts[key] = made
            fields: dict[str, Any] = {**report.account_fields, "id": made}
            fields["name"] = report.account.name
            yield Create(Account, fields)
            self.tally.accounts.append(made)
        return made


def commit(
    store: Store,
    analysis: Analysis,
    decisions: Mapping[int, Resolution] | None = None,
    *,
    undecided: Resolution | None = None,
    chunk_size: int = 1_000,
) -> ImportResult:
    """Import the rows of `analysis` in one transaction; counts and Changes.

    `decisions` (row → Resolution) override the defaults of duplicates; `undecided` is
    used for weak duplicates without a decision (UndecidedDuplicates if None and some
    remain). Nothing is written when anything fails."""
    decisions = decisions or {}
    check_decisions(analysis, decisions, undecided)
    existing = load_existing(store, analysis.kind, analysis.fmt.region)
    processor = RowProcessor(analysis.mapping, analysis.fmt, existing)
    plan = _Plan(analysis, processor, decisions, undecided)
    result = store.write_batch(plan.operations(), chunk_size)
    tally = plan.tally
    return ImportResult(
        kind=analysis.kind,
        created=len(tally.created),
        updated=tally.updated,
        skipped=tally.skipped,
        failed=tally.failed,
        accounts_created=len(tally.accounts),
        created_ids=tuple(tally.created),
        account_ids=tuple(tally.accounts),
        changes=result.changes,
    )

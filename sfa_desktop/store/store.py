"""The Store facade: one method per use case, a Session per call, DTOs and Changes out."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlalchemy import Engine, delete, func, or_, select
from sqlalchemy.orm import Session

from sfa_desktop.core.entities import (
    MODELS,
    Account,
    AccountPlan,
    Activity,
    CalendarEvent,
    Contact,
    CoverageLine,
    Lead,
    Opportunity,
    Record,
    StageChange,
    Task,
    User,
)
from sfa_desktop.core.enums import EntityKind, LeadStatus, Stage
from sfa_desktop.core.errors import DomainError
from sfa_desktop.core.protocol import CLIENT_WRITABLE, Change, Mutation, MutationResult
from sfa_desktop.store import (
    batch,
    bulk,
    encryption,
    integrity,
    outbox_copy,
    pipeline,
    queries,
    remote,
    rescue,
    search,
)
from sfa_desktop.store.changes import Changes, Saved
from sfa_desktop.store.engine import WRITE, RawConnection
from sfa_desktop.store.history import HistoryEntry, history
from sfa_desktop.store.pipeline import OpportunityFilter, PipelineCard
from sfa_desktop.store.queries import CoverageGap
from sfa_desktop.store.remote import Conflict, PreparedPage
from sfa_desktop.store.rows import column_values, to_record
from sfa_desktop.store.schema import (
    TABLES,
    AccountPlanRow,
    ActivityContactRow,
    ActivityRow,
    CalendarEventRow,
    OutboxRow,
    SyncStateRow,
)
from sfa_desktop.store.writer import RecordWriter

if TYPE_CHECKING:  # duplicates brings phonenumbers and rapidfuzz: loaded when first used
    from sfa_desktop.store.duplicates import DuplicateSet

R = TypeVar("R", bound=Record)


@dataclass(frozen=True)
class LeadConversion:
    lead: Lead
    account: Account
    contact: Contact
    opportunity: Opportunity


class Store:
    """The local database of one signed-in user. Thread-safe: each call has its own Session."""

    def __init__(self, engine: Engine, path: Path) -> None:
        self._engine = engine
        self._writer_engine = engine.execution_options(**WRITE)
        self.path = path
        self.rescued: rescue.Rescue | None = None  # set when `open` rescued a damaged file
        self.encrypted = False  # opened with a key (what a session may be kept in)
        self._fully_checked: float | None = None  # monotonic time of the last full check

    @classmethod
    def open(cls, path: Path | str, *, key: bytes | None) -> Store:
        """Open (creating or upgrading in place) the store at `path`, encrypted with `key`
        (32 bytes, see sfa_desktop.security.store_key); a plain file is encrypted in place
        first. `key=None` opens a plain file: only for tests and benchmarks that ask.

        The file is checked first: a damaged one is set aside and what only this computer
        has (unsynced edits, sign-in) is kept in a new store, `rescued` saying so in one
        sentence (sfa_desktop.store.rescue). WrongStoreKey when the file cannot be read
        with `key`; StoreDamaged when it can be neither opened nor rescued.
        """
        path = Path(path)
        engine, checked = rescue.open_engine(path, key)
        store = cls(engine, path)
        store.rescued = checked.rescue
        store.encrypted = key is not None
        store._fully_checked = time.monotonic() if checked.full else None
        return store

    def integrity_problem(self) -> str:
        """Why this store is damaged, in one sentence for the rep, or "" (what a sync checks
        before it reports success; see sfa_desktop.store.integrity for what is checked)."""
        last = self._fully_checked
        full = last is None or time.monotonic() - last > integrity.FULL_CHECK_EVERY
        with self._engine.connect() as connection:
            raw = cast(RawConnection, connection.connection.driver_connection)
            found = integrity.problem(raw, full=full)
            if found:
                outbox_copy.mark_check_failed(raw, found)
                connection.invalidate()  # SQLCipher fails its every later read
        if found:
            return integrity.message(self.path, found)
        if full:
            self._fully_checked = time.monotonic()
        return ""

    def close(self) -> None:
        self._engine.dispose()

    def destroy(self) -> None:
        """Close and erase the database file with its WAL (a revoked device wipes itself;
        the key is shredded by its keeper, `sfa_desktop.security.store_key.forget`)."""
        self.close()
        encryption.remove_with_sidecars(self.path)
        encryption.remove_with_sidecars(encryption.temp_path(self.path))

    # -- plumbing -------------------------------------------------------------------------

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with Session(self._engine) as session, session.begin():
            yield session

    @contextmanager
    def _write(self) -> Iterator[RecordWriter]:
        """A writer in one IMMEDIATE transaction: all of it lands, or none of it."""
        with Session(self._writer_engine) as session, session.begin():
            yield RecordWriter(session, self._state(session, "user_id"))

    @staticmethod
    def _state(session: Session, key: str) -> str | None:
        row = session.get(SyncStateRow, key)
        return row.value if row else None

    # -- identity ---------------------------------------------------------------------------

    def current_user_id(self) -> str | None:
        with self._read() as session:
            return self._state(session, "user_id")

    def sign_in_as(self, user: User) -> Changes:
        """Remember the signed-in user (and keep their User row) for new records' owner."""
        with Session(self._writer_engine) as session, session.begin():
            session.merge(TABLES[EntityKind.USER](**column_values(user)))
            session.merge(SyncStateRow(key="user_id", value=user.id))
        return Changes.of(EntityKind.USER)

    def users(self) -> list[User]:
        with self._read() as session:
            rows = session.scalars(select(TABLES[EntityKind.USER]).order_by("name")).all()
            return [record for record in map(to_record, rows) if isinstance(record, User)]

    # -- generic reads and writes -----------------------------------------------------------

    def get(self, model: type[R], record_id: str) -> R:
        with self._read() as session:
            return RecordWriter(session, None).get(model, record_id)

    def get_many(self, model: type[R], ids: Sequence[str]) -> list[R]:
        """Records for `ids` in the order given; ids that no longer exist are left out."""
        table = TABLES[model.entity]
        with self._read() as session:
            rows = session.scalars(select(table).where(table.id.in_(ids)))
            by_id = {row.id: model.model_validate(row, from_attributes=True) for row in rows}
        return [by_id[i] for i in ids if i in by_id]

    def ids(
        self,
        model: type[Record],
        *,
        where: dict[str, Any] | None = None,
        sort: str = "created_at",
        descending: bool = False,
        limit: int | None = None,
    ) -> list[str]:
        """Ids of the records matching `where` (field equality), sorted in SQL."""
        table = TABLES[model.entity]
        columns = table.__table__.columns
        unknown = [name for name in [sort, *(where or {})] if name not in columns]
        if unknown:
            raise DomainError(f"{model.entity_name()} has no field {', '.join(unknown)}")
        order = columns[sort].desc() if descending else columns[sort].asc()
        query = select(table.id).order_by(order, table.id).limit(limit)
        for name, value in (where or {}).items():
            query = query.where(columns[name] == value)
        with self._read() as session:
            return list(session.scalars(query))

    def records(self, model: type[R], where: dict[str, Any] | None = None) -> list[R]:
        """Every record of `model` matching `where` (field equality), oldest first."""
        table = TABLES[model.entity]
        columns = table.__table__.columns
        query = select(table).order_by(table.created_at, table.id)
        for name, value in (where or {}).items():
            if name not in columns:
                raise DomainError(f"{model.entity_name()} has no field {name}")
            query = query.where(columns[name] == value)
        with self._read() as session:
            return [
                model.model_validate(row, from_attributes=True) for row in session.scalars(query)
            ]

    def count(self, model: type[Record]) -> int:
        with self._read() as session:
            return session.scalar(select(func.count()).select_from(TABLES[model.entity])) or 0

    def create(self, model: type[R], fields: dict[str, Any]) -> Saved[R]:
        """Create a record; opportunities also start their stage history."""
        self._check_writable(model)
        with self._write() as writer:
            record = writer.create(model, fields)
            if isinstance(record, Opportunity):
                self._record_stage_change(writer, record, None)
            return Saved(record, writer.changes)

    def update(self, model: type[R], record_id: str, changes: dict[str, Any]) -> Saved[R]:
        """Change fields of a record; a stage move is added to the opportunity's history."""
        self._check_writable(model)
        with self._write() as writer:
            before = writer.get(model, record_id)
            if isinstance(before, Opportunity) and "stage" in changes:
                changes = self._closing_fields(before, changes, writer.now)
            record = writer.update(model, record_id, changes)
            if (
                isinstance(before, Opportunity)
                and isinstance(record, Opportunity)
                and record.stage is not before.stage
            ):
                self._record_stage_change(writer, record, before)
            return Saved(record, writer.changes)

    def delete(self, model: type[Record], record_id: str) -> Changes:
        self._check_writable(model)
        with self._write() as writer:
            writer.delete(model, record_id)
            return writer.changes

    @staticmethod
    def _check_writable(model: type[Record]) -> None:
        if model.entity not in CLIENT_WRITABLE:
            raise DomainError(f"{model.entity_name()} records are managed on the server")

    # -- use cases with rules of their own --------------------------------------------------

    def log_activity(self, fields: dict[str, Any]) -> Saved[Activity]:
        """Log an activity now unless it says when; the account follows from a single contact."""
        fields = {"occurred_at": datetime.now().astimezone(), **fields}
        if not fields.get("account_id") and len(fields.get("contact_ids", ())) >= 1:
            contacts = self.get_many(Contact, list(fields["contact_ids"]))
            accounts = {c.account_id for c in contacts if c.account_id}
            if len(accounts) == 1:
                fields["account_id"] = accounts.pop()
        return self.create(Activity, fields)

    def complete_task(self, task_id: str, done: bool = True) -> Saved[Task]:
        completed = datetime.now().astimezone() if done else None
        return self.update(Task, task_id, {"done": done, "completed_at": completed})

    def convert_lead(
        self,
        lead_id: str,
        *,
        opportunity_name: str | None = None,
        amount: int = 0,
        close_date: date | None = None,
    ) -> Saved[LeadConversion]:
        """Turn a lead into an account, a contact and an opportunity, all or nothing."""
        with self._write() as writer:
            lead = writer.get(Lead, lead_id)
            if lead.status in (LeadStatus.CONVERTED, LeadStatus.DISQUALIFIED):
                raise DomainError(f"the lead is {lead.status.value} and cannot be converted")
            company = lead.company or lead.display_name
            account = writer.create(Account, {"name": company})
            contact = writer.create(
                Contact,
                {
                    "account_id": account.id,
                    "first_name": lead.first_name,
                    "last_name": lead.last_name or company,
                    "title": lead.title,
                    "email": lead.email,
                    "phone": lead.phone,
                },
            )
            opportunity = writer.create(
                Opportunity,
                {
                    "account_id": account.id,
                    "primary_contact_id": contact.id,
                    "name": opportunity_name or f"{company} – new business",
                    "amount": amount,
                    "close_date": close_date or date.today() + timedelta(days=90),
                },
            )
            self._record_stage_change(writer, opportunity, None)
            converted = writer.update(
                Lead,
                lead_id,
                {
                    "status": LeadStatus.CONVERTED,
                    "converted_account_id": account.id,
                    "converted_contact_id": contact.id,
                    "converted_opportunity_id": opportunity.id,
                },
            )
            return Saved(LeadConversion(converted, account, contact, opportunity), writer.changes)

    @staticmethod
    def _closing_fields(
        before: Opportunity, changes: dict[str, Any], now: datetime
    ) -> dict[str, Any]:
        stage = Stage(changes["stage"])
        if stage.is_closed and not before.stage.is_closed:
            return {"closed_at": now, **changes}
        if not stage.is_closed and before.stage.is_closed:
            return {"closed_at": None, **changes}
        return changes

    @staticmethod
    def _record_stage_change(
        writer: RecordWriter, record: Opportunity, before: Opportunity | None
    ) -> None:
        writer.create(
            StageChange,
            {
                "opportunity_id": record.id,
                "from_stage": before.stage if before else None,
                "to_stage": record.stage,
                "changed_at": writer.now,
                "amount": record.amount,
                "owner_id": record.owner_id,
            },
        )

    def set_plan_coverage(
        self, fiscal_year: int, coverage: dict[str, tuple[CoverageLine, ...]]
    ) -> Saved[list[AccountPlan]]:
        """Put coverage lines into each account's plan for the year (made where missing)."""
        with self._write() as writer:
            plans = []
            for account_id, lines in coverage.items():
                found = writer.session.scalars(
                    select(AccountPlanRow.id).where(
                        AccountPlanRow.account_id == account_id,
                        AccountPlanRow.fiscal_year == fiscal_year,
                    )
                ).first()
                if found is not None:
                    plans.append(writer.update(AccountPlan, found, {"coverage": lines}))
                else:
                    grade = writer.get(Account, account_id).grade
                    fields = {"account_id": account_id, "fiscal_year": fiscal_year, "grade": grade}
                    plans.append(writer.create(AccountPlan, {**fields, "coverage": lines}))
            return Saved(plans, writer.changes)

    # -- duplicates and merges ---------------------------------------------------------------

    def find_duplicates(
        self,
        kind: EntityKind,
        *,
        region: str = "US",  # matching.DEFAULT_REGION (matching loads on first use)
        min_score: float = 0.5,
    ) -> list[DuplicateSet]:
        """Groups of accounts or contacts that look like one record, most certain first.

        Accounts are compared by web domain, phone and name (names only within the same
        first letters of their longest word); contacts by email, phones and name, names
        only within one account (and against contacts without an account). Phone numbers
        without a country code are read as numbers of `region` (ISO 3166 code such as
        "DE"). Each group says, pair by pair, why its records look alike; its oldest
        record is the suggested survivor. Groups join transitively through strong pairs
        (a shared email, phone or domain, the same name); a pair alike by a similar name
        only is a group of its own, so a record can be in more than one such group (find
        again after a merge). One query per call; nothing is written.
        """
        from sfa_desktop.store import duplicates

        with self._read() as session:
            return duplicates.find(session, kind, region, min_score)

    def merge(
        self,
        kind: EntityKind,
        survivor_id: str,
        merged_ids: Sequence[str],
        picked: Mapping[str, str] | None = None,
    ) -> Saved[Record]:
        """Fold the `merged_ids` accounts or contacts into `survivor_id`, in one transaction.

        `picked` maps a field to the id of the record whose value the survivor takes
        (fields not picked keep the survivor's value; "notes" may map to
        `core.rules.merge.BOTH` to keep every record's notes; revenue history is merged by
        year, see `merged_values`; `suggested_picks` fills in what the survivor lacks).
        Every local record that refers to a merged record is re-pointed to the survivor
        (activities, events, tasks, opportunities with their stage history, plans, leads,
        child accounts); plans of the same fiscal year are folded into one. The merged
        records are deleted. The outbox gets ONE merge mutation (survivor, its changed
        fields, the merged ids): the server repeats the re-pointing for the whole
        organisation, so the re-pointed and deleted records get no outbox rows here.

        Raises DomainError (NotFound for a missing id) for a kind that cannot be merged,
        ids of another kind, a survivor among the merged ids, repeated ids, a field that
        cannot be picked or a pick from a record outside the merge; nothing is written then.
        Returns the survivor as saved and the kinds that changed.
        """
        from sfa_desktop.store import duplicates

        self._check_writable(MODELS[kind])
        with self._write() as writer:
            survivor = duplicates.merge(writer, kind, survivor_id, merged_ids, picked or {})
            return Saved(survivor, writer.changes)

    # -- reads for views --------------------------------------------------------------------

    def history(self, entity: EntityKind, record_id: str) -> list[HistoryEntry]:
        """Who changed what on a record, newest first: this device's writes not yet synced
        on top (`pending`), then the server's audit trail."""
        with self._read() as session:
            return history(session, entity, record_id)

    def stage_history(self, opportunity_id: str) -> list[StageChange]:
        ids = self.ids(StageChange, where={"opportunity_id": opportunity_id}, sort="changed_at")
        return self.get_many(StageChange, ids)

    def activities_for_contact(self, contact_id: str, limit: int = 200) -> list[Activity]:
        table = ActivityRow
        query = (
            select(table.id)
            .join(ActivityContactRow, ActivityContactRow.activity_id == table.id)
            .where(ActivityContactRow.contact_id == contact_id)
            .order_by(table.occurred_at.desc())
            .limit(limit)
        )
        with self._read() as session:
            ids = list(session.scalars(query))
        return self.get_many(Activity, ids)

    def events_between(self, start: datetime, end: datetime) -> list[CalendarEvent]:
        """Events overlapping [start, end), plus recurring series that started before `end`."""
        table = CalendarEventRow
        query = select(table.id).where(
            table.starts_at < end,
            or_(table.ends_at >= start, table.recurrence != ""),
        )
        with self._read() as session:
            ids = list(session.scalars(query.order_by(table.starts_at)))
        return self.get_many(CalendarEvent, ids)

    # -- lists and dashboards of the desktop views (sorting and filtering in SQL) -------------

    def account_ids(
        self, text: str = "", grade: str | None = None, sort: str = "name", descending: bool = False
    ) -> list[str]:
        """Accounts whose name or city contains `text`, optionally of one grade."""
        with self._read() as session:
            return queries.account_ids(session, text, grade, sort, descending)

    def contact_ids(
        self,
        text: str = "",
        account_id: str | None = None,
        sort: str = "last_name",
        descending: bool = False,
    ) -> list[str]:
        """Contacts whose name or email contains `text`, optionally at one account."""
        with self._read() as session:
            return queries.contact_ids(session, text, account_id, sort, descending)

    def lead_ids(
        self,
        text: str = "",
        status: LeadStatus | None = None,
        sort: str = "created_at",
        descending: bool = True,
    ) -> list[str]:
        """Leads whose name or company contains `text`, optionally in one status."""
        with self._read() as session:
            return queries.lead_ids(session, text, status, sort, descending)

    def open_tasks_due(self, by: date) -> list[Task]:
        """Open tasks due on or before `by` (overdue first)."""
        with self._read() as session:
            ids = queries.open_task_ids(session, by)
        return self.get_many(Task, ids)

    def due_reminders(self, until: datetime) -> list[Task]:
        """Open tasks whose reminder time has come by `until`."""
        with self._read() as session:
            ids = queries.reminder_ids(session, until)
        return self.get_many(Task, ids)

    def opportunities_closing(self, start: date, end: date) -> list[Opportunity]:
        """Open opportunities with a close date in [start, end), soonest first."""
        with self._read() as session:
            ids = queries.closing_ids(session, start, end)
        return self.get_many(Opportunity, ids)

    def accounts_behind_coverage(
        self, today: date, grades: tuple[str, ...] = ("A", "B")
    ) -> list[CoverageGap]:
        """Accounts of `grades` behind this fiscal year's coverage plan, furthest behind first."""
        with self._read() as session:
            return queries.coverage_gaps(session, today, grades)

    def opportunity_ids(
        self, where: OpportunityFilter, sort: str = "close_date", descending: bool = False
    ) -> list[str]:
        """Opportunities matching the pipeline table's filter, sorted in SQL."""
        with self._read() as session:
            return pipeline.opportunity_ids(session, where, sort, descending)

    def pipeline_board(self, owner_id: str | None, closed_since: datetime) -> list[PipelineCard]:
        """Open deals and those closed since `closed_since`, with last stage change and activity."""
        with self._read() as session:
            return pipeline.board_cards(session, owner_id, closed_since)

    # -- search ----------------------------------------------------------------------------

    def search(
        self,
        query: str,
        kinds: Iterable[EntityKind] = search.SEARCHABLE,
        limit: int = 50,
    ) -> list[search.SearchHit]:
        """Accounts, contacts, opportunities and leads matching `query`, best first."""
        with self._engine.connect() as connection:
            return search.search(connection, query, kinds, limit)

    # -- sync support -----------------------------------------------------------------------

    def outbox_count(self) -> int:
        with self._read() as session:
            return session.scalar(select(func.count()).select_from(OutboxRow)) or 0

    def pending_mutations(self, limit: int = 500) -> list[Mutation]:
        """The oldest unacknowledged local writes, in write order."""
        with self._read() as session:
            rows = session.scalars(select(OutboxRow).order_by(OutboxRow.seq).limit(limit))
            return [
                Mutation(
                    seq=row.seq,
                    mutation_id=row.mutation_id,
                    entity=EntityKind(row.entity),
                    entity_id=row.entity_id,
                    op=row.op,
                    fields=row.fields,
                    base_version=row.base_version,
                    merged_ids=row.merged_ids,
                )
                for row in rows
            ]

    def acknowledge(self, last_seq: int) -> None:
        """Drop outbox rows the server has acknowledged."""
        with Session(self._writer_engine) as session, session.begin():
            session.execute(delete(OutboxRow).where(OutboxRow.seq <= last_seq))

    def state(self, key: str) -> str | None:
        """A fact about this device (device id, pull cursor, last sync time)."""
        with self._read() as session:
            return self._state(session, key)

    def set_state(self, **values: str | None) -> None:
        with Session(self._writer_engine) as session, session.begin():
            for key, value in values.items():
                if value is None:
                    session.execute(delete(SyncStateRow).where(SyncStateRow.key == key))
                else:
                    session.merge(SyncStateRow(key=key, value=value))

    def pull_cursor(self) -> int:
        return int(self.state("since") or 0)

    def apply_pull(
        self,
        changes: PreparedPage | Sequence[Change],
        next_since: int,
        *,
        first_download: bool = False,
        began: int | None = None,
    ) -> Changes:
        """Apply one pulled page and move the cursor past it, in one transaction.

        Pages of a `first_download` are not indexed for search one row at a time:
        `finish_download` indexes them all once the download has caught up. `began` (the
        server version the download began at) is kept with the cursor."""
        with Session(self._writer_engine) as session, session.begin():
            return remote.apply_page(session, changes, next_since, first_download, began)

    def download_began(self) -> int | None:
        """The server version the download in progress began at (None: unknown)."""
        value = self.state(remote.DOWNLOAD_BEGAN_KEY)
        return int(value) if value is not None else None

    def download_unfinished(self) -> bool:
        """A first download began (its pages are not all indexed for search yet)."""
        return self.state(remote.BULK_LOAD_KEY) is not None

    def finish_download(self) -> Changes:
        """Index what a first download inserted; a no-op when none is in progress."""
        with Session(self._writer_engine) as session, session.begin():
            return remote.finish_download(session)

    def record_push(self, results: Sequence[MutationResult], last_seq: int) -> Changes:
        """Drop acknowledged outbox rows, stamp server versions, keep lost values as conflicts.

        A merge the server refused (or answered as a duplicate, its first answer lost) sets
        the pull cursor back to 0 with the downloaded records forgotten: the sync's pull
        then downloads the scope again, undoing the local merge if the server did not make it.
        """
        with Session(self._writer_engine) as session, session.begin():
            touched = remote.record_results(session, results)
            redownload = remote.unsettled_merges(session, results)
            session.execute(delete(OutboxRow).where(OutboxRow.seq <= last_seq))
            if redownload:
                # A merge the server may not have made: download the scope again (pending
                # edits stay) to get back what the local merge deleted and re-pointed.
                touched |= remote.clear_synced_data(session)
                session.merge(SyncStateRow(key="since", value="0"))
            return touched

    def reset_for_download(self) -> Changes:
        """Forget downloaded records (pending edits stay) so the whole scope comes again."""
        with Session(self._writer_engine) as session, session.begin():
            touched = remote.clear_synced_data(session)
            session.merge(SyncStateRow(key="since", value="0"))
            return touched

    def conflicts(self, include_resolved: bool = False) -> list[Conflict]:
        with self._read() as session:
            return remote.conflicts(session, include_resolved)

    def restore_conflict(self, conflict_id: str) -> Changes:
        """Put the value that lost a conflict back (a normal edit that syncs)."""
        with self._write() as writer:
            remote.restore_conflict(writer, conflict_id)
            return writer.changes

    def dismiss_conflict(self, conflict_id: str) -> Changes:
        with self._write() as writer:
            remote.resolve_conflict(writer.session, conflict_id, writer.now)
            return Changes(conflicts=True)

    def write_batch(
        self, operations: Iterable[batch.Create | batch.Update], chunk_size: int = 1_000
    ) -> batch.BatchResult:
        """Create and update many records in ONE transaction: all of it lands, or none.

        Each write is a normal local write with its outbox row (it syncs). New records are
        validated, checked (ids free, references existing or created earlier in the batch)
        and inserted `chunk_size` at a time; updates go one by one (see `batch.Update`).
        `operations` is consumed inside the transaction, so it may be a generator reading
        a file: an exception it raises rolls everything back. Not for opportunities.
        """
        with self._write() as writer:
            return batch.write_batch(writer, operations, chunk_size)

    def column_rows(self, model: type[Record], columns: Sequence[str]) -> list[tuple[Any, ...]]:
        """(id, *columns) of every record of `model`, oldest first, in one query (what
        match indexes for duplicates are built from)."""
        table = TABLES[model.entity]
        known = table.__table__.columns
        unknown = [name for name in columns if name not in known]
        if unknown:
            raise DomainError(f"{model.entity_name()} has no field {', '.join(unknown)}")
        query = select(table.id, *(known[name] for name in columns)).order_by(
            table.created_at, table.id
        )
        with self._read() as session:
            return [tuple(row) for row in session.execute(query)]

    def import_records(self, records: Iterable[Record], batch_size: int = 5_000) -> int:
        """Insert already-synced records (demo data, first download) without outbox rows."""
        with self._writer_engine.begin() as connection:
            return bulk.insert_records(connection, records, batch_size)

"""The Store's reads for the desktop's views: histories, lists sorted and filtered in SQL,
dashboards and search."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlalchemy import func, or_, select

from sfa_desktop.core.entities import Activity, CalendarEvent, Opportunity, StageChange, Task
from sfa_desktop.core.entities.base import is_custom
from sfa_desktop.core.enums import EntityKind, LeadStatus
from sfa_desktop.store import pipeline, queries, search
from sfa_desktop.store.custom_fields import CustomFilter, ensure_index
from sfa_desktop.store.engine import raw_connection
from sfa_desktop.store.history import HistoryEntry, history
from sfa_desktop.store.pipeline import OpportunityFilter, PipelineCard
from sfa_desktop.store.queries import CoverageGap
from sfa_desktop.store.schema import ActivityContactRow, ActivityRow, CalendarEventRow
from sfa_desktop.store.store_records import RecordAccess


class ViewReads(RecordAccess):
    """What the desktop's pages read."""

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
            or_(
                table.ends_at >= start,
                table.recurrence != "",
                func.json_array_length(table.extra_dates) > 0,
            ),
        )
        with self._read() as session:
            ids = list(session.scalars(query.order_by(table.starts_at)))
        return self.get_many(CalendarEvent, ids)

    # -- lists and dashboards of the desktop views (sorting and filtering in SQL) -------------

    def account_ids(
        self,
        text: str = "",
        grade: str | None = None,
        sort: str = "name",
        descending: bool = False,
        custom: Sequence[CustomFilter] = (),
    ) -> list[str]:
        """Accounts whose name or city contains `text`, optionally of one grade and
        matching the custom-field filters; `sort` may name a custom field."""
        self._index_custom(EntityKind.ACCOUNT, sort, custom)
        with self._read() as session:
            return queries.account_ids(session, text, grade, sort, descending, custom)

    def contact_ids(
        self,
        text: str = "",
        account_id: str | None = None,
        sort: str = "last_name",
        descending: bool = False,
        custom: Sequence[CustomFilter] = (),
    ) -> list[str]:
        """Contacts whose name or email contains `text`, optionally at one account and
        matching the custom-field filters; `sort` may name a custom field."""
        self._index_custom(EntityKind.CONTACT, sort, custom)
        with self._read() as session:
            return queries.contact_ids(session, text, account_id, sort, descending, custom)

    def lead_ids(
        self,
        text: str = "",
        status: LeadStatus | None = None,
        sort: str = "created_at",
        descending: bool = True,
        custom: Sequence[CustomFilter] = (),
    ) -> list[str]:
        """Leads whose name or company contains `text`, optionally in one status and
        matching the custom-field filters; `sort` may name a custom field."""
        self._index_custom(EntityKind.LEAD, sort, custom)
        with self._read() as session:
            return queries.lead_ids(session, text, status, sort, descending, custom)

    def _index_custom(self, kind: EntityKind, sort: str, custom: Sequence[CustomFilter]) -> None:
        """Make the indexes a list sorted or filtered by custom fields needs (once each)."""
        keys = {spec.key for spec in custom} | ({sort} if is_custom(sort) else set())
        indexed: set[tuple[EntityKind, str]] = self.__dict__.setdefault("_custom_indexed", set())
        wanted = {key for key in keys if (kind, key) not in indexed}
        if not wanted:
            return
        with self._write() as writer:
            connection = raw_connection(writer.session)
            made = {key for key in wanted if ensure_index(connection, kind, key)}
        indexed.update((kind, key) for key in made)  # a field yet to arrive is asked again

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
        self._index_custom(EntityKind.OPPORTUNITY, sort, where.custom)
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

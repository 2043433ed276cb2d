"""The Store's use cases with rules of their own: activities, tasks, lead conversion, plan
coverage, batches, duplicates and merges."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from sfa_desktop.core.entities import (
    MODELS,
    Account,
    AccountPlan,
    Activity,
    Contact,
    CoverageLine,
    Lead,
    Opportunity,
    Record,
    Task,
)
from sfa_desktop.core.enums import EntityKind, LeadStatus
from sfa_desktop.core.errors import DomainError
from sfa_desktop.store import batch
from sfa_desktop.store.changes import Saved
from sfa_desktop.store.schema import AccountPlanRow
from sfa_desktop.store.store_records import RecordAccess

if TYPE_CHECKING:  # duplicates brings phonenumbers and rapidfuzz: loaded when first used
    from sfa_desktop.store.duplicates import DuplicateSet


@dataclass(frozen=True)
class LeadConversion:
    lead: Lead
    account: Account
    contact: Contact
    opportunity: Opportunity


class UseCases(RecordAccess):
    """Writes that follow rules beyond one record's fields."""

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

"""Rows that look like records already in the store, or like earlier rows of the file.

Existing records are read once per import with one query per kind (`Store.column_rows`)
into a `MatchIndex` of `core.rules.matching`; the file's rows go into a second index as
they are checked, so a row is compared with everything before it. A match is *strong*
when it shares an email address or its score reaches 0.9 (for example same name and same
phone): such a row is skipped unless the user says otherwise. Weaker matches (a similar
name, a shared phone) wait for the user: skip, create anyway, or merge into the match
(fill its empty fields, or overwrite the fields the user picks).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

from sfa_desktop.core.entities import Account, Contact, Lead
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.rules.matching import MatchIndex, MatchKeys, Reason
from sfa_desktop.core.rules.normalize import (
    DEFAULT_REGION,
    normalize_email,
    normalize_phone,
    person_key,
    web_domain,
)
from sfa_desktop.core.rules.normalize import company_key as _company_key
from sfa_desktop.store import Store

MIN_SCORE = 0.5  # below this a match is not reported
STRONG_SCORE = 0.9
MAX_MATCHES = 5  # per row, best first


_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
company_key = lru_cache(maxsize=65_536)(_company_key)


def phone_key(value: str | None, region: str) -> str | None:
    """E.164 of a phone number; numbers already in E.164 skip the (slow) parser."""
    if not value:
        return None
    return value if _E164.match(value) else normalize_phone(value, region)


def contact_keys(
    first: str,
    last: str,
    emails: Iterable[str | None],
    phones: Iterable[str | None],
    block: str,
    region: str,
) -> MatchKeys:
    """`matching.contact_keys`, with the E.164 shortcut."""
    return MatchKeys(
        name=person_key(first, last),
        emails=frozenset(e for e in map(normalize_email, emails) if e),
        phones=frozenset(p for p in (phone_key(v, region) for v in phones) if p),
        block=block,
    )


def account_keys(
    name: str, domain: str | None, phones: Iterable[str | None], region: str
) -> MatchKeys:
    """`matching.account_keys`, with the E.164 shortcut."""
    found = web_domain(domain)
    return MatchKeys(
        name=company_key(name),
        domains=frozenset([found]) if found else frozenset(),
        phones=frozenset(p for p in (phone_key(v, region) for v in phones) if p),
    )


class Action(StrEnum):
    SKIP = "skip"
    CREATE = "create"  # create a new record anyway
    MERGE = "merge"  # put the row's values into the matching record


@dataclass(frozen=True)
class Resolution:
    """What to do with a row that looks like a duplicate.

    A merge fills the empty fields of the target with the row's values and overwrites
    the fields named in `overwrite`; `target` is a record id or, for a match with an
    earlier row, "row:<number>" (default: the best match)."""

    action: Action
    overwrite: frozenset[str] = frozenset()
    target: str | None = None

    @classmethod
    def skip(cls) -> Resolution:
        return cls(Action.SKIP)

    @classmethod
    def create(cls) -> Resolution:
        return cls(Action.CREATE)

    @classmethod
    def merge(cls, overwrite: Iterable[str] = (), target: str | None = None) -> Resolution:
        return cls(Action.MERGE, frozenset(overwrite), target)


@dataclass(frozen=True)
class DuplicateMatch:
    """An existing record (`record_id`) or an earlier row (`row`) that looks alike."""

    label: str
    reasons: tuple[Reason, ...]
    score: float
    record_id: str | None = None
    row: int | None = None

    @property
    def key(self) -> str:
        """What `Resolution.target` names this match by."""
        return self.record_id if self.record_id is not None else f"row:{self.row}"

    @property
    def explanation(self) -> str:
        return ", ".join(self.reasons)


@dataclass(frozen=True)
class Duplicate:
    matches: tuple[DuplicateMatch, ...]  # best first

    @property
    def best(self) -> DuplicateMatch:
        return self.matches[0]

    @property
    def strong(self) -> bool:
        best = self.best
        return Reason.EMAIL in best.reasons or best.score >= STRONG_SCORE

    @property
    def default(self) -> Resolution | None:
        """Skip a strong match; None (ask the user) for a weak one."""
        return Resolution.skip() if self.strong else None


@dataclass
class AccountDirectory:
    """Existing accounts by company name key and by web domain (to link contacts)."""

    by_name: dict[str, str] = field(default_factory=dict)
    by_domain: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    addresses: dict[str, tuple[str, ...]] = field(default_factory=dict)  # street … country

    def add(
        self, account_id: str, name: str, domain: str | None, address: tuple[str, ...] = ()
    ) -> None:
        self.names[account_id] = name
        self.addresses[account_id] = address
        self.by_name.setdefault(company_key(name), account_id)
        found = web_domain(domain)
        if found:
            self.by_domain.setdefault(found, account_id)


@dataclass
class ExistingRecords:
    """What an import compares its rows with: one kind's match keys and, for contacts,
    the accounts they can link to."""

    kind: EntityKind
    region: str = DEFAULT_REGION
    index: MatchIndex = field(default_factory=MatchIndex)
    labels: dict[str, str] = field(default_factory=dict)
    accounts: AccountDirectory = field(default_factory=AccountDirectory)

    @property
    def count(self) -> int:
        return len(self.labels)


def load_existing(store: Store, kind: EntityKind, region: str = DEFAULT_REGION) -> ExistingRecords:
    """The records of `kind` (and accounts, for contacts), one query per kind."""
    existing = ExistingRecords(kind, region)
    if kind in (EntityKind.ACCOUNT, EntityKind.CONTACT):
        wanted = ("name", "domain", "phone", "street", "city", "postal_code", "country")
        for account_id, name, domain, phone, *address in store.column_rows(Account, wanted):
            existing.accounts.add(account_id, name, domain, tuple(address))
            if kind is EntityKind.ACCOUNT:
                existing.index.add(account_id, account_keys(name, domain, (phone,), region))
                existing.labels[account_id] = f"{name} ({domain})" if domain else name
    if kind is EntityKind.CONTACT:
        columns = ("first_name", "last_name", "email", "phone", "mobile", "account_id")
        for record_id, first, last, email, phone, mobile, account_id in store.column_rows(
            Contact, columns
        ):
            keys = contact_keys(first, last, (email,), (phone, mobile), account_id or "", region)
            existing.index.add(record_id, keys)
            existing.labels[record_id] = _person_label(
                first, last, email, existing.accounts.names.get(account_id or "")
            )
    if kind is EntityKind.LEAD:
        lead_columns = ("first_name", "last_name", "company", "email", "phone")
        for record_id, first, last, company, email, phone in store.column_rows(Lead, lead_columns):
            keys = contact_keys(first, last, (email,), (phone,), _lead_block(company), region)
            existing.index.add(record_id, keys)
            existing.labels[record_id] = _person_label(first, last, email, company)
    return existing


def _lead_block(company: str) -> str:
    return f"company:{company_key(company)}" if company else ""


def _person_label(first: str, last: str, email: str | None, company: str | None) -> str:
    name = f"{first} {last}".strip()
    if company:
        name = f"{name} ({company})"
    return f"{name} <{email}>" if email else name


def row_keys(
    kind: EntityKind,
    fields: dict[str, object],
    emails: Iterable[str],
    phones: Iterable[str],
    block: str,
    region: str,
) -> MatchKeys:
    """The match keys of a row's fields (every email and phone of the row counts)."""
    text = {k: str(v) for k, v in fields.items() if isinstance(v, str)}
    if kind is EntityKind.ACCOUNT:
        return account_keys(text.get("name", ""), text.get("domain", ""), phones, region)
    if kind is EntityKind.LEAD:
        block = _lead_block(text.get("company", ""))
    return contact_keys(
        text.get("first_name", ""), text.get("last_name", ""), emails, phones, block, region
    )


def row_label(kind: EntityKind, fields: dict[str, object], company: str = "") -> str:
    text = {k: str(v) for k, v in fields.items() if isinstance(v, str)}
    if kind is EntityKind.ACCOUNT:
        return text.get("name", "")
    return _person_label(
        text.get("first_name", ""),
        text.get("last_name", ""),
        text.get("email"),
        text.get("company", company),
    )


class DuplicateFinder:
    """Compares rows, in file order, with the existing records and the rows before."""

    def __init__(self, existing: ExistingRecords | None) -> None:
        self.existing = existing
        self._rows = MatchIndex()
        self._row_labels: dict[str, str] = {}

    def check(self, row: int, keys: MatchKeys, label: str) -> Duplicate | None:
        """Matches of a valid row; the row is remembered for the rows after it."""
        found: list[DuplicateMatch] = []
        if self.existing is not None:
            for match in self.existing.index.matches(keys):
                if match.score >= MIN_SCORE:
                    found.append(
                        DuplicateMatch(
                            self.existing.labels.get(match.record_id, match.record_id),
                            match.reasons,
                            match.score,
                            record_id=match.record_id,
                        )
                    )
        for match in self._rows.matches(keys):
            if match.score >= MIN_SCORE:
                earlier = int(match.record_id.removeprefix("row:"))
                found.append(
                    DuplicateMatch(
                        self._row_labels[match.record_id], match.reasons, match.score, row=earlier
                    )
                )
        key = f"row:{row}"
        self._rows.add(key, keys)
        self._row_labels[key] = f"row {row}: {label}"
        if not found:
            return None
        found.sort(key=lambda m: (-m.score, m.record_id is None, m.row or 0, m.record_id or ""))
        return Duplicate(tuple(found[:MAX_MATCHES]))

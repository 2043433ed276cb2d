"""Match keys for spotting duplicate accounts and contacts.

A record is reduced to `MatchKeys`: normalized email addresses, web domains, phone numbers
in E.164 and a folded name. Two records look alike when they share a key or when their
names are close (rapidfuzz) within the same block: the same account for contacts, the
same first letters for accounts. Pure functions and plain data; no database.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

import phonenumbers
from rapidfuzz import fuzz, process

DEFAULT_REGION = "US"
# Mail domains shared by unrelated people: an address there says nothing about a company.
FREE_MAIL = frozenset(
    {
        "aol.com", "gmail.com", "googlemail.com", "gmx.de", "gmx.net", "hotmail.com",
        "icloud.com", "live.com", "mac.com", "mail.ru", "me.com", "msn.com", "outlook.com",
        "proton.me", "protonmail.com", "qq.com", "t-online.de", "web.de", "yahoo.com",
        "yahoo.co.uk", "yahoo.fr", "yandex.ru", "orange.fr", "free.fr", "libero.it",
        "163.com", "126.com", "zoho.com", "fastmail.com",
    }
)  # fmt: skip
# Legal forms dropped from company names ("Acme GmbH" is "Acme").
LEGAL_FORMS = frozenset(
    {
        "ab", "ag", "aps", "as", "bv", "co", "company", "corp", "corporation", "gmbh",
        "inc", "incorporated", "kg", "kk", "limited", "llc", "llp", "lp", "ltd", "nv",
        "oy", "plc", "pte", "pty", "sa", "sarl", "sas", "se", "sl", "spa", "srl", "the",
    }
)  # fmt: skip
_NON_WORD = re.compile(r"[^0-9a-z]+")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")
_DOMAIN = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$")


class Reason(StrEnum):
    EMAIL = "same email"
    PHONE = "same phone"
    DOMAIN = "same web domain"
    NAME = "same name"
    SIMILAR_NAME = "similar name"


# How much each reason alone says that two records are one (combined as independent odds).
WEIGHTS = {
    Reason.EMAIL: 0.95,
    Reason.PHONE: 0.8,
    Reason.DOMAIN: 0.8,
    Reason.NAME: 0.7,
    Reason.SIMILAR_NAME: 0.5,
}


def fold(text: str) -> str:
    """Lower case, accents and punctuation gone, words separated by one space."""
    decomposed = unicodedata.normalize("NFKD", text.replace("&", " and "))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(_NON_WORD.split(plain)).strip()


def normalize_email(value: str | None) -> str | None:
    """`Jane.Doe@Example.COM ` → `jane.doe@example.com`; None if it is not an address."""
    if not value:
        return None
    email = value.strip().casefold()
    local, at, domain = email.rpartition("@")
    if not at or not local or not _DOMAIN.match(domain):
        return None
    return email


def web_domain(value: str | None) -> str | None:
    """The registrable-looking host of a URL, bare domain or email address, without www.

    An email address at a free mail provider has no company domain (None).
    """
    if not value:
        return None
    text = value.strip().casefold()
    if "@" in text and "/" not in text:
        email = normalize_email(text)
        domain = email.rpartition("@")[2] if email else None
        return None if domain in FREE_MAIL else domain
    host = _SCHEME.sub("", text).split("/", 1)[0].split("?", 1)[0]
    host = host.rpartition("@")[2].split(":", 1)[0].rstrip(".")
    host = host.removeprefix("www.")
    return host if _DOMAIN.match(host) else None


def normalize_phone(value: str | None, region: str = DEFAULT_REGION) -> str | None:
    """A phone number in E.164 (`+4930123456`), read as a number of `region` when it has
    no country code; None when it cannot be a phone number."""
    if not value or not any(c.isdigit() for c in value):
        return None
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def company_key(name: str) -> str:
    """A company name without case, accents, punctuation or legal form."""
    words = [w for w in fold(name).split() if w not in LEGAL_FORMS]
    return " ".join(words) or fold(name)


def person_key(first: str, last: str) -> str:
    """A person's name, word order ignored ("Smith, John" is "John Smith")."""
    return " ".join(sorted(fold(f"{first} {last}").split()))


@dataclass(frozen=True)
class MatchKeys:
    """What a record is compared by. `block` limits fuzzy name matches (a contact's
    account); records in different non-empty blocks never match by name alone."""

    name: str
    emails: frozenset[str] = frozenset()
    domains: frozenset[str] = frozenset()
    phones: frozenset[str] = frozenset()
    block: str = ""


def _present(values: Iterable[str | None]) -> frozenset[str]:
    return frozenset(v for v in values if v)


def account_keys(
    name: str, domain: str = "", phones: Iterable[str | None] = (), region: str = DEFAULT_REGION
) -> MatchKeys:
    return MatchKeys(
        name=company_key(name),
        domains=_present([web_domain(domain)]),
        phones=_present(normalize_phone(p, region) for p in phones),
    )


def contact_keys(
    first: str,
    last: str,
    emails: Iterable[str | None] = (),
    phones: Iterable[str | None] = (),
    block: str = "",
    region: str = DEFAULT_REGION,
) -> MatchKeys:
    return MatchKeys(
        name=person_key(first, last),
        emails=_present(normalize_email(e) for e in emails),
        phones=_present(normalize_phone(p, region) for p in phones),
        block=block,
    )


@dataclass(frozen=True)
class Match:
    """A known record that looks like the one asked about, and why."""

    record_id: str
    reasons: tuple[Reason, ...]
    score: float  # 0..1

    @property
    def explanation(self) -> str:
        return ", ".join(self.reasons)


def score(reasons: Iterable[Reason]) -> float:
    miss = 1.0
    for reason in reasons:
        miss *= 1.0 - WEIGHTS[reason]
    return round(1.0 - miss, 3)


@dataclass
class MatchIndex:
    """The keys of known records, looked up by exact key and by similar name."""

    similar_name: float = 90.0  # rapidfuzz token_sort_ratio, 0..100
    _by_email: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    _by_phone: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    _by_domain: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    _names: defaultdict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    _blocks: dict[str, str] = field(default_factory=dict)

    def add(self, record_id: str, keys: MatchKeys) -> None:
        for email in keys.emails:
            self._by_email[email].add(record_id)
        for phone in keys.phones:
            self._by_phone[phone].add(record_id)
        for domain in keys.domains:
            self._by_domain[domain].add(record_id)
        if keys.name:
            self._names[self._name_block(keys)][record_id] = keys.name
        self._blocks[record_id] = keys.block

    @staticmethod
    def _name_block(keys: MatchKeys) -> str:
        return keys.block or keys.name[:3]

    def matches(self, keys: MatchKeys, exclude: str | None = None) -> list[Match]:
        """Known records that look like `keys`, best first."""
        reasons: defaultdict[str, set[Reason]] = defaultdict(set)
        for values, table, reason in (
            (keys.emails, self._by_email, Reason.EMAIL),
            (keys.phones, self._by_phone, Reason.PHONE),
            (keys.domains, self._by_domain, Reason.DOMAIN),
        ):
            for value in values:
                for record_id in table.get(value, ()):
                    reasons[record_id].add(reason)
        if keys.name:
            names = self._names.get(self._name_block(keys), {})
            for _name, ratio, record_id in process.extract(
                keys.name,
                names,
                scorer=fuzz.token_sort_ratio,
                score_cutoff=self.similar_name,
                limit=None,
            ):
                exact = ratio >= 100.0
                reasons[record_id].add(Reason.NAME if exact else Reason.SIMILAR_NAME)
        found = [
            Match(record_id, tuple(sorted(why, key=list(Reason).index)), score(why))
            for record_id, why in reasons.items()
            if record_id != exclude and self._comparable(keys, record_id, why)
        ]
        return sorted(found, key=lambda m: (-m.score, m.record_id))

    def _comparable(self, keys: MatchKeys, record_id: str, why: set[Reason]) -> bool:
        """A name alone counts only within one block (same account for contacts)."""
        if why - {Reason.NAME, Reason.SIMILAR_NAME}:
            return True
        other = self._blocks.get(record_id, "")
        return not (keys.block and other and keys.block != other)


@dataclass(frozen=True)
class DuplicateGroup:
    """Records that look like one; `reasons` says why, pair by pair."""

    record_ids: tuple[str, ...]
    reasons: tuple[tuple[str, str, tuple[Reason, ...]], ...]
    score: float


def duplicate_groups(
    records: Iterable[tuple[str, MatchKeys]], min_score: float = 0.5
) -> list[DuplicateGroup]:
    """Groups of records that match each other (transitively), most certain first."""
    index = MatchIndex()
    parent: dict[str, str] = {}

    def root(record_id: str) -> str:
        while parent[record_id] != record_id:
            parent[record_id] = parent[parent[record_id]]
            record_id = parent[record_id]
        return record_id

    pairs: list[tuple[str, str, Match]] = []
    for record_id, keys in records:
        parent[record_id] = record_id
        for match in index.matches(keys):
            if match.score >= min_score:
                pairs.append((match.record_id, record_id, match))
                parent[root(record_id)] = root(match.record_id)
        index.add(record_id, keys)
    members: defaultdict[str, list[str]] = defaultdict(list)
    for record_id in parent:
        members[root(record_id)].append(record_id)
    why: defaultdict[str, list[tuple[str, str, Match]]] = defaultdict(list)
    for left, right, match in pairs:
        why[root(left)].append((left, right, match))
    groups = [
        DuplicateGroup(
            record_ids=tuple(ids),
            reasons=tuple((a, b, m.reasons) for a, b, m in why[group]),
            score=max(m.score for _, _, m in why[group]),
        )
        for group, ids in members.items()
        if len(ids) > 1
    ]
    return sorted(groups, key=lambda g: (-g.score, g.record_ids))

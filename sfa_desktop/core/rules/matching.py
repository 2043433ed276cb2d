"""Match keys for spotting duplicate accounts and contacts.

A record is reduced to `MatchKeys`: normalized email addresses, web domains, phone numbers
in E.164 and a folded name. Two records look alike when they share a key or when their
names are close (rapidfuzz) within the same block: the same account for contacts, the
same first letters for accounts. Pure functions and plain data; no database.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import lru_cache

from rapidfuzz import fuzz, process

from sfa_desktop.core.rules.normalize import DEFAULT_REGION as DEFAULT_REGION  # the region
from sfa_desktop.core.rules.normalize import (
    company_key,
    normalize_email,
    normalize_phone,
    person_key,
    web_domain,
)


class Reason(StrEnum):
    EMAIL = "same email"
    PHONE = "same phone"
    DOMAIN = "same web domain"
    NAME = "same name"
    SIMILAR_NAME = "similar name"


_REASON_ORDER = {reason: index for index, reason in enumerate(Reason)}
# How much each reason alone says that two records are one (combined as independent odds).
WEIGHTS = {
    Reason.EMAIL: 0.95,
    Reason.PHONE: 0.8,
    Reason.DOMAIN: 0.8,
    Reason.NAME: 0.7,
    Reason.SIMILAR_NAME: 0.5,
}


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


@lru_cache(maxsize=1 << 16)
def name_prefix(name: str) -> str:
    """What a name is blocked by when it has no block of its own: the first letters of
    its longest word (alphabetically first of equals), so word order does not matter."""
    words = name.split()
    return min(words, key=lambda word: (-len(word), word))[:3] if words else ""


def similar_words(first: str, second: str, cutoff: float = 75.0) -> bool:
    """Whether the words that differ between two similar names are alike too.

    A shared long word makes any two names look similar as a whole ("IK Capital" and
    "RI Capital" score 90): what tells them apart is the rest ("ik" against "ri"). A name
    may lack an initial the other has ("John A. Smith", "John Smith").
    """
    words, others = set(first.split()), set(second.split())
    mine = " ".join(sorted(words - others))
    theirs = " ".join(sorted(others - words))
    if not mine or not theirs:
        return len(mine or theirs) <= 2
    return fuzz.ratio(mine, theirs) >= cutoff


# Name tables of the index: records of one block, records without a block by name
# prefix, and every record by name prefix.
_IN_BLOCK, _LOOSE, _ANY = "block", "loose", "any"


@dataclass
class MatchIndex:
    """The keys of known records, looked up by exact key and by similar name.

    Names are compared only within a table: a record with a block against its block and
    against the block-less records of its name prefix; a record without a block against
    every record of its name prefix (see `name_prefix`).
    """

    similar_name: float = 90.0  # rapidfuzz token_sort_ratio, 0..100
    similar_words: float = 75.0  # rapidfuzz ratio of the words one name has and the other not
    _by_email: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    _by_phone: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    _by_domain: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    _names: defaultdict[tuple[str, str], dict[str, str]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    _blocks: dict[str, str] = field(default_factory=dict)

    def add(self, record_id: str, keys: MatchKeys) -> None:
        for email in keys.emails:
            self._by_email[email].add(record_id)
        for phone in keys.phones:
            self._by_phone[phone].add(record_id)
        for domain in keys.domains:
            self._by_domain[domain].add(record_id)
        if keys.name:
            prefix = name_prefix(keys.name)
            own = (_IN_BLOCK, keys.block) if keys.block else (_LOOSE, prefix)
            self._names[own][record_id] = keys.name
            self._names[_ANY, prefix][record_id] = keys.name
        self._blocks[record_id] = keys.block

    def _name_tables(self, keys: MatchKeys) -> list[dict[str, str]]:
        prefix = name_prefix(keys.name)
        own = [(_IN_BLOCK, keys.block), (_LOOSE, prefix)]
        wanted = own if keys.block else [(_ANY, prefix)]
        return [self._names[key] for key in wanted if key in self._names]

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
        for names in self._name_tables(keys) if keys.name else ():
            for name, ratio, record_id in process.extract(
                keys.name,
                names,
                scorer=fuzz.token_sort_ratio,
                score_cutoff=self.similar_name,
                limit=None,
            ):
                if ratio >= 100.0:
                    reasons[record_id].add(Reason.NAME)
                elif similar_words(keys.name, name, self.similar_words):
                    reasons[record_id].add(Reason.SIMILAR_NAME)
        found = [
            Match(record_id, tuple(sorted(why, key=_REASON_ORDER.__getitem__)), score(why))
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
    records: Iterable[tuple[str, MatchKeys]],
    min_score: float = 0.5,
    common: int = 5,
    chain_score: float = 0.7,
) -> list[DuplicateGroup]:
    """Groups of records that match each other, most certain first.

    Pairs scoring `chain_score` or more (a shared key, the same name) join groups
    transitively. A weaker pair (a similar name alone) is a group of its own unless both
    records are in one group already: "Acme Nord" ~ "Acme Süd" ~ "Acme Ost" is not one
    company, and chaining similar names turned a demo org's "<initials> <industry>" names
    into a group of 150. So a record may be in more than one group, by weak pairs only.

    An email, phone or domain held by more than `common` records (a switchboard number on
    every contact, a shared info@ address, a group's domain on its subsidiaries) says
    nothing about which of them are one and is ignored: it would chain them all into one
    group.
    """
    listed = _without_common_keys(list(records), common)
    index = MatchIndex()
    parent: dict[str, str] = {}

    def root(record_id: str) -> str:
        while parent[record_id] != record_id:
            parent[record_id] = parent[parent[record_id]]
            record_id = parent[record_id]
        return record_id

    strong: list[tuple[str, str, Match]] = []
    weak: list[tuple[str, str, Match]] = []
    for record_id, keys in listed:
        parent[record_id] = record_id
        for match in index.matches(keys):
            if match.score >= chain_score:
                strong.append((match.record_id, record_id, match))
                parent[root(record_id)] = root(match.record_id)
            elif match.score >= min_score:
                weak.append((match.record_id, record_id, match))
        index.add(record_id, keys)
    members: defaultdict[str, list[str]] = defaultdict(list)
    for record_id in parent:
        members[root(record_id)].append(record_id)
    why: defaultdict[str, list[tuple[str, str, Match]]] = defaultdict(list)
    groups: list[DuplicateGroup] = []
    for left, right, match in strong:
        why[root(left)].append((left, right, match))
    for left, right, match in weak:
        if root(left) == root(right):
            why[root(left)].append((left, right, match))
        else:
            groups.append(
                DuplicateGroup((left, right), ((left, right, match.reasons),), match.score)
            )
    groups += [
        DuplicateGroup(
            record_ids=tuple(ids),
            reasons=tuple((a, b, m.reasons) for a, b, m in why[group]),
            score=max(m.score for _, _, m in why[group]),
        )
        for group, ids in members.items()
        if len(ids) > 1
    ]
    return sorted(groups, key=lambda g: (-g.score, g.record_ids))


def _without_common_keys(
    records: list[tuple[str, MatchKeys]], common: int
) -> list[tuple[str, MatchKeys]]:
    counts = Counter(
        (kind, value)
        for _, keys in records
        for kind, values in (("e", keys.emails), ("p", keys.phones), ("d", keys.domains))
        for value in values
    )
    frequent = {key for key, count in counts.items() if count > common}
    if not frequent:
        return records

    def kept(kind: str, values: frozenset[str]) -> frozenset[str]:
        return frozenset(v for v in values if (kind, v) not in frequent)

    return [
        (
            record_id,
            replace(
                keys,
                emails=kept("e", keys.emails),
                phones=kept("p", keys.phones),
                domains=kept("d", keys.domains),
            ),
        )
        for record_id, keys in records
    ]

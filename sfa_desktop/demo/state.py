"""What the generator remembers between record kinds: small references, not records."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sfa_desktop.core.entities import User
from sfa_desktop.core.enums import BuyingRole, Channel, Stage
from sfa_desktop.demo.catalog import Industry
from sfa_desktop.demo.geography import City, Country

GRADES: tuple[str, ...] = ("A", "B", "C", "D", "E")


@dataclass(frozen=True, slots=True)
class ContactRef:
    id: str
    first_name: str
    last_name: str
    title: str
    role: BuyingRole | None
    unreachable: frozenset[Channel]  # opted out, or no phone number or email address

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True, slots=True)
class OpportunityRef:
    """An opportunity with the stages it went through and when it entered each, and the
    close dates it had (when each was set; the last is `close_date`)."""

    id: str
    product: str
    amount: int
    close_date: date
    path: tuple[Stage, ...]
    entered: tuple[datetime, ...]
    amounts: tuple[int, ...]
    owner_id: str = ""
    name: str = ""
    close_dates: tuple[tuple[datetime, date], ...] = ()

    @property
    def stage(self) -> Stage:
        return self.path[-1]

    @property
    def is_open(self) -> bool:
        return not self.stage.is_closed

    def was_active(self, moment: datetime) -> bool:
        """Whether the deal was being worked on at `moment`."""
        return self.entered[0] <= moment and (self.is_open or moment <= self.entered[-1])


@dataclass(slots=True)
class AccountRef:
    id: str
    name: str
    base_name: str  # the name without its legal form, for subsidiaries
    owner_id: str
    grade: str
    industry: Industry
    country: Country
    city: City
    address: str
    domain: str
    created_at: datetime
    historical_revenue: int
    potential_revenue: int
    contacts: list[ContactRef] = field(default_factory=list)
    opportunities: list[OpportunityRef] = field(default_factory=list)


@dataclass(frozen=True)
class Team:
    """The sales organisation: a director, two managers, an admin and the field reps."""

    director: User
    managers: tuple[User, ...]
    admin: User
    reps: tuple[User, ...]
    territories: dict[str, Country]  # rep id -> the country the rep covers

    @property
    def users(self) -> tuple[User, ...]:
        return (self.director, *self.managers, self.admin, *self.reps)

    def reps_in(self, country: Country) -> list[User]:
        """The reps covering `country`, or every rep if nobody does."""
        covering = [rep for rep in self.reps if self.territories[rep.id] is country]
        return covering or list(self.reps)


@dataclass
class Totals:
    """Won and forecast amounts of one rep in one quarter."""

    won: int = 0
    commit: int = 0
    best_case: int = 0


@dataclass
class World:
    team: Team
    accounts: list[AccountRef] = field(default_factory=list)
    totals: defaultdict[tuple[str, str], Totals] = field(
        default_factory=lambda: defaultdict(Totals)
    )  # (rep id, quarter) -> totals
    won_last_year: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))
    deals: dict[str, OpportunityRef] = field(default_factory=dict)  # by id

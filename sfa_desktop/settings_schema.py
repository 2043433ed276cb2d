"""The user settings, declared once (name, type, default, description); Qt-free.

The site config (`site_config`) checks admin defaults and locked names against this schema,
and `app.settings.Settings` stores the user's values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sfa_desktop.core.addresses import server_url_problem
from sfa_desktop.core.enums import CONTACT_CHANNELS, DEFAULT_CHANNEL_COST, Channel
from sfa_desktop.core.rules.geo import point_problem
from sfa_desktop.core.rules.visits import (
    DEFAULT_VISIT_MINUTES,
    clock_problem,
    working_day_problem,
)


def _region_problem(value: str) -> str | None:
    """A phone region is an ISO 3166 country code: two letters."""
    if len(value) == 2 and value.isascii() and value.isalpha():
        return None
    return f"must be a two-letter country code such as DE, GB or US, got {value!r}"


@dataclass(frozen=True)
class Setting:
    """One user setting; `choices` restricts a str setting to a few values, `check` says
    why a non-empty str value does not fit (None when it does)."""

    name: str
    type: type
    default: Any
    label: str
    description: str
    choices: tuple[str, ...] = ()
    minimum: int = 0
    maximum: int = 1_000_000
    check: Callable[[str], str | None] | None = None

    def problem(self, value: Any) -> str | None:
        """Why `value` does not fit this setting, or None when it does."""
        if self.type is bool:
            return None if isinstance(value, bool) else f"must be true or false, got {value!r}"
        if self.type is int:
            if not isinstance(value, int) or isinstance(value, bool):
                return f"must be a whole number, got {value!r}"
            if not self.minimum <= value <= self.maximum:
                return f"must be between {self.minimum} and {self.maximum}, got {value}"
            return None
        if not isinstance(value, str):
            return f"must be a string, got {value!r}"
        if self.choices and value not in self.choices:
            return f"must be one of {', '.join(self.choices)}, got {value!r}"
        return self.check(value) if self.check and value else None

    def coerce(self, value: Any) -> Any:
        """`value` as this setting's type, or the default when it does not fit."""
        return self.default if self.problem(value) else value


SCHEMA: tuple[Setting, ...] = (
    Setting(
        "sync_server",
        str,
        "",
        "Sync server",
        "Address of the sync server, e.g. https://sfa.example.com",
        check=server_url_problem,
    ),
    Setting(
        "sync_interval",
        int,
        15,
        "Sync every (minutes)",
        "How often to sync in the background",
        minimum=1,
        maximum=24 * 60,
    ),
    Setting(
        "start_page",
        str,
        "today",
        "Start page",
        "The page shown when the app starts",
        choices=("today", "accounts", "contacts", "leads"),
    ),
    Setting(
        "default_channel",
        str,
        Channel.CALL.value,
        "Default channel",
        "Channel preselected when logging an activity",
        choices=tuple(c.value for c in Channel),
    ),
    Setting(
        "default_duration",
        int,
        30,
        "Default duration (minutes)",
        "Duration preselected when logging an activity",
        maximum=24 * 60,
    ),
    Setting(
        "reminders",
        bool,
        True,
        "Reminders",
        "Notify me when a task or event reminder is due",
    ),
    Setting(
        "reminder_check",
        int,
        60,
        "Check reminders every (seconds)",
        "How often to look for due reminders",
        minimum=5,
        maximum=3600,
    ),
    Setting(
        "phone_region",
        str,
        "",
        "Phone region",
        "Country of phone numbers written without a country code, as two letters (DE, GB, "
        "US); empty: this computer's country. Used by imports and the duplicate finder.",
        check=_region_problem,
    ),
    Setting(
        "stale_days",
        int,
        30,
        "Stale deal after (days)",
        "Mark open deals with no stage change or activity for this long",
        minimum=1,
        maximum=3650,
    ),
    *(
        Setting(
            f"cost_{channel.value}",
            int,
            DEFAULT_CHANNEL_COST[channel] // 100,
            f"Cost of one {channel.value}",
            f"Cost to serve of one {channel.value} (whole currency units)",
            maximum=1_000_000,
        )
        for channel in CONTACT_CHANNELS
    ),
    Setting(
        "cost_per_km",
        int,
        30,
        "Mileage rate (cents per km)",
        "What a km driven to a visit costs and is claimed at: the mileage log, its export, "
        "and the travel part of cost to serve",
        maximum=10_000,
    ),
    Setting(
        "planner_base",
        str,
        "",
        "Home base",
        "Where your visit days start and end, as latitude, longitude (the visit planner's "
        "Home base field finds it from a city)",
        check=point_problem,
    ),
    Setting(
        "planner_day_start",
        str,
        "08:00",
        "Working day starts",
        "When you leave your home base on a working day (HH:MM)",
        check=clock_problem,
    ),
    Setting(
        "planner_day_end",
        str,
        "18:00",
        "Working day ends",
        "When you are back at your home base at the latest (HH:MM)",
        check=clock_problem,
    ),
    Setting(
        "planner_days",
        int,
        5,
        "Working days a week",
        "Visit days from Monday on (5: Monday to Friday)",
        minimum=1,
        maximum=7,
    ),
    Setting(
        "planner_max_drive",
        int,
        240,
        "Driving a day at most (minutes)",
        "The visit planner never plans more driving than this into a day, return included",
        minimum=30,
        maximum=16 * 60,
    ),
    Setting(
        "planner_speed",
        int,
        60,
        "Average driving speed (km/h)",
        "Turns road km into drive time (towns and motorways together)",
        minimum=10,
        maximum=150,
    ),
    Setting(
        "planner_road_factor",
        int,
        130,
        "Road distance (% of straight line)",
        "Roads are longer than the straight line between two places by this much",
        minimum=100,
        maximum=300,
    ),
    *(
        Setting(
            f"planner_visit_{grade.lower()}",
            int,
            minutes,
            f"Visit length, grade {grade} (minutes)",
            f"How long the visit planner books for a visit to a grade {grade} account",
            minimum=10,
            maximum=8 * 60,
        )
        for grade, minutes in DEFAULT_VISIT_MINUTES.items()
    ),
    Setting(
        "planner_hotel_nights",
        bool,
        False,
        "Nights away on far trips",
        "Let the visit planner end a day at a hotel near its last stop and start the next "
        "day there, when that saves more driving than the hotel costs",
    ),
    Setting(
        "planner_hotel_cost",
        int,
        110,
        "Hotel night cost",
        "What a night away costs (whole currency units): in the plan's travel cost and "
        "in cost to serve",
        maximum=10_000,
    ),
)

SETTING_NAMES: frozenset[str] = frozenset(setting.name for setting in SCHEMA)


def cross_problems(values: Mapping[str, Any]) -> dict[str, str]:
    """Why values that fit one by one do not fit together, by the setting to fix."""
    problems = {}
    if "planner_day_start" in values and "planner_day_end" in values:
        problem = working_day_problem(
            str(values["planner_day_start"]), str(values["planner_day_end"])
        )
        if problem:
            problems["planner_day_end"] = problem
    return problems

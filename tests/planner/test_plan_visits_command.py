"""`sfa-desktop plan-visits` as a real process over an encrypted store: the week, nothing
written, bad input in one line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from process_kit import private_env, sfa_desktop_command

PASSPHRASE = "correct horse battery staple"
# Base in Munich; one account 30 km due north (39 road km at the default 1.3, 39 minutes
# at 60 km/h), one with no coordinates; a team call blocks Monday 08:00-12:00 (Berlin).
SEED = """
import sys
from datetime import datetime
from zoneinfo import ZoneInfo
from sfa_desktop.core.entities import Account, AccountPlan, CalendarEvent, CoverageLine
from sfa_desktop.core.enums import Channel
from sfa_desktop.security import store_key
from sfa_desktop.store import Store
path = sys.argv[1]
store = Store.open(path, key=store_key.load(path, ask=store_key.console_ask).key)
if sys.argv[2] == "seed":
    north = store.create(Account, {"name": "North GmbH", "grade": "A", "city": "Freising",
        "latitude": 48.137 + 30 / 111.195, "longitude": 11.575}).value
    lost = store.create(Account, {"name": "Lost AG", "grade": "A", "city": "Atlantis"}).value
    for account in (north, lost):
        lines = tuple(CoverageLine(channel=Channel.VISIT, quarter=q, planned=6)
                      for q in (1, 2, 3, 4))
        store.create(AccountPlan, {"account_id": account.id, "fiscal_year": 2026, "grade": "A",
            "coverage": lines})
    berlin = ZoneInfo("Europe/Berlin")
    store.create(CalendarEvent, {"title": "Team call", "channel": "call",
        "starts_at": datetime(2026, 12, 7, 8, tzinfo=berlin),
        "ends_at": datetime(2026, 12, 7, 12, tzinfo=berlin)})
if sys.argv[2] == "far":  # eight A accounts 1 km apart, 200 km due north of Munich
    for n in range(8):
        far = store.create(Account, {"name": f"Far {n}", "grade": "A",
            "latitude": 48.137 + 200 / 111.195, "longitude": 11.575 + n / 74.2}).value
        lines = tuple(CoverageLine(channel=Channel.VISIT, quarter=q, planned=6)
                      for q in (1, 2, 3, 4))
        store.create(AccountPlan, {"account_id": far.id, "fiscal_year": 2026, "grade": "A",
            "coverage": lines})
print(store.count(CalendarEvent), store.count(Account))
store.close()
"""


def _python(home: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", SEED, str(home / "store.db"), *args],
        env=private_env(home, SFA_STORE_PASSPHRASE=PASSPHRASE),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.strip()


def _run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*sfa_desktop_command(), "plan-visits", *args, "--db", str(home / "store.db")],
        env=private_env(home, SFA_STORE_PASSPHRASE=PASSPHRASE),
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def test_plan_visits_prints_the_week_and_writes_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "config" / "sfa-desktop").mkdir(parents=True)
    assert _python(home, "seed") == "1 2"
    no_base = _run(home, "--week", "2026-W50", "--zone", "Europe/Berlin")
    assert no_base.returncode == 2
    assert "home base" in no_base.stderr
    assert no_base.stderr.strip().count("\n") == 0
    settings = {"planner_base": "48.137, 11.575"}
    (home / "config" / "sfa-desktop" / "settings.json").write_text(json.dumps(settings))
    done = _run(home, "--week", "2026-W50", "--json", "--zone", "Europe/Berlin")
    assert done.returncode == 0, done.stderr
    week = json.loads(done.stdout)
    stops = [(day["date"], stop) for day in week["days"] for stop in day["stops"]]
    assert [stop["name"] for _, stop in stops] == ["North GmbH"]
    day, stop = stops[0]
    assert stop["drive_minutes"] == 39
    assert abs(stop["km"] - 39.0) < 0.2
    assert day != "2026-12-07" or stop["starts"] >= "12:39"
    assert "A account, 5 visits behind plan" in stop["reason"]
    assert abs(week["total_km"] - 78.0) < 0.3
    lost = [s for s in week["skipped"] if s["name"] == "Lost AG"]
    assert "not located" in lost[0]["reason"]
    assert lost[0]["suggestion"] == "call"
    assert _python(home, "count") == "1 2"  # no event written
    text = _run(home, "--week", "2026-W50", "--zone", "Europe/Berlin")
    assert "North GmbH" in text.stdout
    assert "Not this week (1)" in text.stdout


def test_a_bad_week_is_one_line(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    for bad in ("2026-50", "2026-W54", "next week"):
        done = _run(home, "--week", bad)
        assert done.returncode == 2
        assert "Traceback" not in done.stderr
        assert done.stderr.strip().count("\n") <= 1, done.stderr  # usage line + reason


def test_plan_visits_shows_a_night_away(tmp_path: Path) -> None:
    # 200 km north is 260 road km, 2 h 53 at 90 km/h: from home a day holds two of the
    # 90-minute A visits (5 h 46 of driving), so eight take four days and ~2,080 km; with
    # nights away allowed it is two days and one night: ~520 km plus ~9 km between them.
    # The night saves the drive home and back (~5 h 46, ~520 km, 156.00 at 0.30) for the
    # hotel's 110.00.
    home = tmp_path / "home"
    (home / "config" / "sfa-desktop").mkdir(parents=True)
    assert _python(home, "far") == "0 8"
    settings = {
        "planner_base": "48.137, 11.575",
        "planner_speed": 90,
        "planner_max_drive": 420,
        "planner_hotel_nights": True,
    }
    (home / "config" / "sfa-desktop" / "settings.json").write_text(json.dumps(settings))
    done = _run(home, "--week", "2026-W50", "--json", "--zone", "Europe/Berlin")
    assert done.returncode == 0, done.stderr
    week = json.loads(done.stdout)
    assert len(week["nights"]) == 1
    night = week["nights"][0]
    busy = [day for day in week["days"] if day["stops"]]
    assert len(busy) == 2
    assert busy[0]["night"] == night
    assert busy[0]["date"] == night["date"]
    assert busy[1]["starts_at_hotel"] is True
    assert sum(len(day["stops"]) for day in busy) == 8
    assert 520 < week["total_km"] < 535
    assert 510 < night["saves_km"] < 521
    assert 335 < night["saves_drive_minutes"] < 348
    assert night["hotel_cost"] == 110.0
    assert abs(week["travel_cost"] - (week["total_km"] * 0.30 + 110)) < 0.02
    hours, minutes = divmod(night["saves_drive_minutes"], 60)
    assert night["reason"].endswith(f"saves {hours} h {minutes:02d} of driving, hotel 110.00")
    assert _python(home, "count") == "0 8"  # nothing written
    text = _run(home, "--week", "2026-W50", "--zone", "Europe/Berlin").stdout
    assert "1 night away" in text
    assert f"Night: {night['reason']}" in text
    assert "at the hotel" in text
    assert "leave the hotel" in text
    settings["planner_hotel_nights"] = False
    (home / "config" / "sfa-desktop" / "settings.json").write_text(json.dumps(settings))
    done = _run(home, "--week", "2026-W50", "--json", "--zone", "Europe/Berlin")
    week = json.loads(done.stdout)
    assert week["nights"] == []
    assert [len(day["stops"]) for day in week["days"] if day["stops"]] == [2, 2, 2, 2]

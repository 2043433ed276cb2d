"""The architecture map (docs/architecture.md) holds for every module: it belongs to a row,
imports only the rows and libraries its row allows (inside functions too), stays under
500 lines, and no modules import each other in a circle. The tables are read from the
map itself; the known exceptions below are strict expected failures, to be removed as
the code is fixed."""

from __future__ import annotations

import pytest
from import_map import (
    ANY,
    PACKAGE,
    ROOT,
    SCANNED,
    circles,
    imports,
    libraries,
    modules,
    row_of,
    rows,
)

MAIN = "Rows and what they may import"
UI = "Inside the UI"
UI_PACKAGE = "sfa_desktop.ui"
MAX_LINES = 500

# (module, row it imports) the map forbids, still in the code. The UI should reach `sync`
# and `security` through `operations`/`app`; these views still call them directly.
KNOWN_EXCEPTIONS = {
    ("sfa_desktop.ui.forecast.forecast_page", "sync"): "holds the ForecastRemote",
    ("sfa_desktop.ui.forecast.forecast_team", "sync"): "calls the forecast client, its errors",
    ("sfa_desktop.ui.main_window", "sync"): "types the ForecastRemote",
    ("sfa_desktop.ui.shell.passphrase_dialog", "security"): "checks the passphrase itself",
    ("sfa_desktop.ui.shell.sign_in_flow", "sync"): "catches the sync errors",
    ("sfa_desktop.ui.shell.status_bar", "sync"): "shows sync.status.SyncStatus",
}
# Circles through imports inside functions (the usual way to break one at import time);
# the UI move is to remove them. There must be none at import time (see below).
KNOWN_CIRCLES: set[frozenset[str]] = set()  # none left: a new one fails the test above


def _violations(heading: str, within: str | None = None) -> set[tuple[str, str]]:
    """(module, row) pairs where a module imports a row of `heading` its row does not allow;
    with `within`, only modules and imports under that package."""
    found = set()
    for name in modules():
        if within and not name.startswith(within + "."):
            continue
        row = row_of(name, heading)
        assert row is not None, f"{name} is on no row of '{heading}'"
        for item in imports(name):
            if not item.first_party or (within and not item.module.startswith(within + ".")):
                continue
            target = row_of(item.module, heading)
            assert target is not None, f"{item.module} is on no row of '{heading}'"
            if target.name in (row.name, PACKAGE) or {ANY, target.name} & row.allowed:
                continue
            found.add((name, target.name))
    return found


def test_every_module_is_on_the_map_and_every_row_names_something() -> None:
    main, ui = rows(MAIN), rows(UI)
    for name in modules():
        assert row_of(name, MAIN) is not None, f"{name}: add it to a row of {MAIN!r}"
        if name.startswith(UI_PACKAGE + "."):
            assert row_of(name, UI) is not None, f"{name}: add it to a row of {UI!r}"
    for table in (main, ui):
        for row in table.values():
            for prefix in row.prefixes:
                named = [m for m in modules() if m == prefix or m.startswith(prefix + ".")]
                assert named, f"row {row.name}: no module is {prefix}"
            assert row.allowed <= {*table, ANY}, f"{row.name} allows an unknown row"
    for library, where in libraries().items():
        assert where <= set(main), f"{library} is allowed in an unknown row"


@pytest.mark.parametrize("row", sorted(rows(MAIN)))
def test_a_rows_modules_import_only_what_it_allows(row: str) -> None:
    found = {v for v in _violations(MAIN) if row_of(v[0], MAIN).name == row}  # type: ignore[union-attr]
    unexpected = sorted(found - KNOWN_EXCEPTIONS.keys())
    assert not unexpected, f"{row} may import only {sorted(rows(MAIN)[row].allowed)}"


def test_ui_packages_import_only_what_they_allow() -> None:
    assert sorted(_violations(UI, within=UI_PACKAGE)) == []


@pytest.mark.parametrize("heading", [MAIN, UI])
def test_no_row_allows_what_it_does_not_use(heading: str) -> None:
    """The map says what is, not only what may be: an unused permission is dropped."""
    used: dict[str, set[str]] = {name: set() for name in rows(heading)}
    for name in modules():
        row = row_of(name, heading)
        if row is None:
            continue
        for item in imports(name):
            target = row_of(item.module, heading) if item.first_party else None
            if target is not None:
                used[row.name].add(target.name)
    unused = {
        row.name: sorted(row.allowed - used[row.name] - {ANY})
        for row in rows(heading).values()
        if row.allowed - used[row.name] - {ANY}
    }
    assert unused == {}


def test_libraries_stay_in_their_rows() -> None:
    found = []
    for name in modules():
        row = row_of(name, MAIN)
        assert row is not None
        for item in imports(name):
            allowed = libraries().get(item.module)
            if not item.first_party and allowed is not None and row.name not in allowed:
                found.append(f"{name}:{item.line} imports {item.module}")
    assert found == []


@pytest.mark.parametrize(
    "exception",
    [
        pytest.param(key, marks=pytest.mark.xfail(strict=True, reason=why))
        for key, why in KNOWN_EXCEPTIONS.items()
    ],
    ids=lambda key: f"{key[0]}->{key[1]}",
)
def test_known_exception_is_gone(exception: tuple[str, str]) -> None:
    assert exception not in _violations(MAIN)


def test_no_circle_at_import_time() -> None:
    """Built from the imports that run when a module is imported (not those in functions
    or under TYPE_CHECKING): a circle there breaks whichever module is imported first."""
    assert [sorted(c) for c in circles(top_level_only=True)] == []


def test_no_circle_even_through_imports_in_functions() -> None:
    found = set(circles(top_level_only=False))
    assert sorted(sorted(c) for c in found - KNOWN_CIRCLES) == []


def _long_modules() -> set[str]:
    found = set()
    for top in (*SCANNED, "tests"):
        for path in (ROOT / top).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            with path.open(encoding="utf-8") as file:
                if sum(1 for _line in file) > MAX_LINES:
                    found.add(path.relative_to(ROOT).as_posix())
    return found


def test_no_module_over_500_lines_outside_migrations() -> None:
    assert sorted(_long_modules()) == []

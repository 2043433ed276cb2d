"""One of each: the pieces issue 16 made single stay single (one UTC column type, one
Alembic helper, one outbox-row builder, one percentile helper, one ServerProcess, one
period rule, one delete pseudo-field) and operations and app name no currency."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

from import_map import ROOT, SCANNED

PRODUCT = SCANNED  # the product, its installer and benchmarks; tests may state their own


@cache
def _trees(with_tests: bool) -> tuple[tuple[str, ast.Module], ...]:
    found = []
    for top in (*PRODUCT, "tests") if with_tests else PRODUCT:
        for path in sorted((ROOT / top).rglob("*.py")):
            if "migrations" not in path.parts:
                found.append((path.relative_to(ROOT).as_posix(), ast.parse(path.read_text())))
    return tuple(found)


def _where(match: type[ast.AST], test: object, with_tests: bool = True) -> set[str]:
    """Files with a node of type `match` for which `test(node)` holds."""
    found = set()
    for path, tree in _trees(with_tests):
        if any(isinstance(n, match) and test(n) for n in ast.walk(tree)):  # type: ignore[operator]
            found.add(path)
    return found


def _defines(*names: str) -> set[str]:
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return _where(ast.stmt, lambda n: isinstance(n, kinds) and n.name in names)


def _assigns(name: str) -> set[str]:
    return _where(
        ast.Assign, lambda n: any(isinstance(t, ast.Name) and t.id == name for t in n.targets)
    )


def _calls(name: str, with_tests: bool = True) -> set[str]:
    test = lambda n: isinstance(n.func, ast.Name) and n.func.id == name  # noqa: E731
    return _where(ast.Call, test, with_tests)


def test_one_utc_column_type() -> None:
    type_decorators = _where(
        ast.ClassDef,
        lambda n: any("TypeDecorator" in ast.unparse(base) for base in n.bases),
    )
    assert type_decorators == {"sfa_desktop/sql/types.py"}


def test_one_alembic_helper() -> None:
    assert _calls("Config", with_tests=False) == {"sfa_desktop/sql/migrate.py"}


def test_one_outbox_row_builder() -> None:
    assert _calls("OutboxRow") == {"sfa_desktop/store/writer.py"}
    assert _defines("outbox_entry") == {"sfa_desktop/store/writer.py"}


def test_one_reference_check() -> None:
    assert _defines("broken_reference", "referring_ids", "existing_ids") == {
        "sfa_desktop/store/references.py"
    }


def test_one_percentile_helper() -> None:
    assert _defines("percentile", "median", "quantile", "quantiles") == {"benchmarks/stats.py"}


def test_one_server_process() -> None:
    assert _defines("ServerProcess", "free_port") == {"sfa_desktop/sync/local_server.py"}


def test_one_period_rule() -> None:
    """Periods are parsed by `Period.parse` alone: no other period pattern in the code."""
    pattern = lambda n: isinstance(n.value, str) and "-Q(" in n.value  # noqa: E731
    assert _where(ast.Constant, pattern, with_tests=False) == {"sfa_desktop/core/periods.py"}


def test_one_delete_pseudo_field() -> None:
    assert _assigns("DELETED_FIELD") == {"sfa_desktop/core/protocol.py"}


def test_operations_and_app_name_no_currency() -> None:
    """The corporate currency comes with the rate sheet (sync.rates.corporate_currency)."""
    found = {
        path
        for path in _where(ast.Constant, lambda n: n.value == "EUR")
        if Path(path).parts[:2] in (("sfa_desktop", "operations"), ("sfa_desktop", "app"))
    }
    assert found == set()

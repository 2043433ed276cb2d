"""The bundled migrations build the schema from nothing and upgrade an old file in place."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from store_keys import TEST_KEY, raw

from sfa_desktop.core.entities import Account
from sfa_desktop.store import Store, migrate
from sfa_desktop.store.engine import create_store_engine
from sfa_desktop.store.schema import Base


def _tables(path: Path) -> set[str]:
    with raw(path) as db:
        return {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def test_head_constant_matches_the_migration_scripts() -> None:
    config = Config()
    config.set_main_option("script_location", str(migrate.MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == migrate.HEAD_REVISION


def test_empty_file_is_migrated_to_a_schema_equal_to_the_models(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "new.db", key=TEST_KEY)
    store.close()
    engine = create_store_engine(tmp_path / "new.db", TEST_KEY)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_name": migrate.include_name}
        )
        assert context.get_current_revision() == migrate.HEAD_REVISION
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()
    assert {"search_fts", "search_docs", "outbox", "conflicts"} <= _tables(tmp_path / "new.db")


def test_store_opens_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "wal.db", key=TEST_KEY)
    with store._engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    store.close()


def test_previous_schema_upgrades_in_place_keeping_data(tmp_path: Path) -> None:
    """A file at revision 0001 (no search, no link tables) gets them, filled from old rows."""
    path = tmp_path / "old.db"
    engine = create_store_engine(path, TEST_KEY)
    migrate.upgrade(engine, "0001")
    engine.dispose()
    assert "search_fts" not in _tables(path)
    with raw(path) as db:
        db.execute(
            "INSERT INTO accounts (id, name, domain, industry, segment, street, city, postal_code,"
            " country, currency, potential_revenue, orientation, is_partner, revenue_history,"
            " notes, created_at, updated_at) VALUES ('acc-old', 'Fjordline Shipping', '', '', '',"
            " '', 'Bergen', '', 'Norway', 'NOK', 0, 'relationship', 0, '[]', '',"
            " '2025-01-01 00:00:00', '2025-01-01 00:00:00')"
        )
        db.execute(
            "INSERT INTO activities (id, channel, subject, notes, occurred_at, duration_minutes,"
            " account_id, contact_ids, outcome, created_at, updated_at) VALUES ('act-old',"
            " 'call', 'Hello', '', '2025-01-02 10:00:00', 5, 'acc-old', '[\"con-x\"]', '',"
            " '2025-01-02 10:00:00', '2025-01-02 10:00:00')"
        )
    store = Store.open(path, key=TEST_KEY)
    assert store.get(Account, "acc-old").name == "Fjordline Shipping"
    assert [hit.id for hit in store.search("fjord")] == ["acc-old"]
    with raw(path) as db:
        links = db.execute("SELECT activity_id, contact_id FROM activity_contacts").fetchall()
    assert links == [("act-old", "con-x")]
    store.close()


def _paused_triggers(path: Path) -> set[str]:
    with raw(path) as db:
        triggers = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        return {name for name, sql in triggers if "bulk_load" in sql}


def test_0002_file_gets_insert_triggers_that_pause_during_a_first_download(
    tmp_path: Path,
) -> None:
    path = tmp_path / "v2.db"
    engine = create_store_engine(path, TEST_KEY)
    migrate.upgrade(engine, "0002")
    engine.dispose()
    assert _paused_triggers(path) == set()
    store = Store.open(path, key=TEST_KEY)
    assert _paused_triggers(path) == {
        "accounts_search_ai",
        "contacts_search_ai",
        "opportunities_search_ai",
        "leads_search_ai",
        "calendar_events_search_ai",
        "activities_activity_contacts_ai",
        "calendar_events_event_attendees_ai",
    }
    store.create(Account, {"name": "Fjordline Shipping"})
    assert [hit.title for hit in store.search("fjord")] == ["Fjordline Shipping"]
    store.close()
    engine = create_store_engine(path, TEST_KEY)
    migrate.upgrade(engine)
    with engine.begin() as connection:
        command.downgrade(migrate.alembic_config(connection), "0002")
    engine.dispose()
    assert _paused_triggers(path) == set()


def test_reopening_an_up_to_date_file_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "again.db"
    Store.open(path, key=TEST_KEY).close()
    before = path.stat().st_mtime_ns
    store = Store.open(path, key=TEST_KEY)
    assert store.count(Account) == 0
    store.close()
    with raw(path) as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (migrate.HEAD_REVISION,)
        ]
    assert path.stat().st_mtime_ns >= before


def test_the_big_lists_default_sort_reads_an_index_instead_of_sorting(tmp_path: Path) -> None:
    """Case-insensitive order by name/last name, ties by id, as store.queries.sorted_ids asks."""
    path = tmp_path / "store.db"
    Store.open(path, key=TEST_KEY).close()
    with raw(path) as db:
        for table, column in [
            ("accounts", "name"),
            ("contacts", "last_name"),
            ("leads", "last_name"),
            ("opportunities", "name"),
        ]:
            for order in ("ASC", "DESC"):
                query = (
                    f'SELECT id FROM {table} ORDER BY {column} COLLATE "NOCASE" {order}, id {order}'
                )
                plan = " ".join(row[-1] for row in db.execute(f"EXPLAIN QUERY PLAN {query}"))
                assert f"INDEX sort_{table}_{column}" in plan, plan
                assert "TEMP B-TREE" not in plan, plan

"""Desktop UI benchmark: cold start to the first account page, and search-as-you-type latency.

Builds (once, cached) a store with 100k contacts / 50k opportunities / 200k activities from
the demo generator, then
- starts the app in fresh subprocesses and times process start -> first account page shown;
- types queries into the Ctrl+K search one key at a time and times keystroke -> results shown.

    python benchmarks/ui_bench.py [--contacts 100000] [--runs 5] [--cache PATH]
        [--stores encrypted|plain|both]

The store is encrypted with SQLCipher as in the app, its key read at start-up from the
keyring the app finds (with no system keyring: keyrings.alt's file, in a temporary folder);
`--stores plain` measures a plain SQLite file, `--stores both` alternates the two.

Targets: start < 1 s, search p95 < 50 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
START_MARK = "FIRST-ACCOUNT-PAGE"
READY_MARK = "SERVICES-STARTED"
BENCH_KEY = bytes(range(32))  # a fixed raw key: the app's keys are random, the cost the same


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def build(path: Path, contacts: int) -> None:
    """Create the (plain) benchmark store at `path` unless it is there already."""
    from sfa_desktop.demo import DemoSize, first_rep, generate
    from sfa_desktop.store import Store

    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".building")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    size, today = DemoSize.scaled(contacts), date.today()
    started = time.perf_counter()
    store = Store.open(partial, key=None)
    count = store.import_records(generate(size, seed=7, today=today))
    rep = first_rep(size, seed=7, today=today)
    store.sign_in_as(rep)
    store.close()
    partial.rename(path)
    print(f"built {path} with {count:,} records in {time.perf_counter() - started:.0f} s")


def encrypted_copy(plain: Path) -> Path:
    """The benchmark store encrypted (as the app encrypts a plain store it finds), once."""
    from sfa_desktop.store import Store

    path = plain.with_name(f"{plain.stem}-encrypted.db")
    if not path.exists():
        partial = path.with_suffix(".building")
        shutil.copyfile(plain, partial)
        started = time.perf_counter()
        Store.open(partial, key=BENCH_KEY).close()
        partial.rename(path)
        print(f"encrypted a copy in {time.perf_counter() - started:.1f} s")
    return path


@contextmanager
def bench_keyring(store: Path) -> Iterator[None]:
    """The encrypted store's key in the keyring the app finds, as on a rep's machine: the
    first start finds the backend and remembers it in a fresh config folder, later starts
    name it (sfa_desktop.security.keyring_backend). File keyrings are kept in a temporary
    folder, and the entry is removed at the end from any other keyring."""
    from sfa_desktop.security import store_key

    with tempfile.TemporaryDirectory() as folder:
        os.environ["XDG_DATA_HOME"] = folder  # for this process and the app processes
        os.environ["XDG_CONFIG_HOME"] = folder
        store_key.remember(store, BENCH_KEY)
        try:
            yield
        finally:
            store_key.forget(store)


def child_start(path: Path, plain: bool) -> None:
    """Run in a fresh process: the app's own start-up (`sfa-desktop run`) on the accounts page
    (the key of an encrypted store read from the keyring, as the app does).

    Prints when the first account page is painted with its rows, then when the background
    services (reminders, the sync stack) started after it have settled.
    """
    from PySide6.QtCore import QTimer

    from sfa_desktop.cli import site_or_none
    from sfa_desktop.ui.app import run
    from sfa_desktop.ui.main_window import MainWindow

    def ready(window: MainWindow) -> None:
        window.accounts.list.viewport().repaint()
        print(START_MARK, time.time(), time.process_time(), flush=True)
        QTimer.singleShot(0, lambda: services_started(window))

    def services_started(window: MainWindow) -> None:
        print(READY_MARK, time.time(), flush=True)
        window.close()

    site, _problem = site_or_none()  # what `sfa-desktop run` does before opening the window
    if plain:
        run(path, "accounts", on_ready=ready, site=site, key=None)
    else:
        run(path, "accounts", on_ready=ready, site=site)
    os._exit(0)  # skip interpreter teardown: the measurement is done


def cold_start(path: Path, plain: bool) -> tuple[float, float, float]:
    """Seconds from process start to the first page painted (wall and the process's CPU),
    and to the background services started."""
    started = time.time()
    result = subprocess.run(
        [sys.executable, __file__, "--child-start", str(path), *(["--plain"] * plain)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")},
    )
    marks = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines()}
    return (
        float(marks[START_MARK][0]) - started,
        float(marks[START_MARK][1]),
        float(marks[READY_MARK][0]) - started,
    )


def search_latency(path: Path, words: int, key: bytes | None) -> list[float]:
    """Type words letter by letter into the search popup; time each key to results shown."""
    from PySide6.QtCore import QEventLoop, QTimer

    from sfa_desktop.core.entities import Account, Contact
    from sfa_desktop.store import Store
    from sfa_desktop.ui.app import application, build_context
    from sfa_desktop.ui.main_window import MainWindow

    application()
    store = Store.open(path, key=key)
    ctx = build_context(store, None)
    window = MainWindow(ctx)
    window.show()
    rng = random.Random(5)
    contacts = store.get_many(Contact, rng.sample(store.ids(Contact), words // 2))
    accounts = store.get_many(Account, rng.sample(store.ids(Account), words - words // 2))
    queries = [c.full_name for c in contacts] + [a.name.split()[0] for a in accounts]
    popup = window.search
    shown: list[str] = []
    loop = QEventLoop()
    popup.results_shown.connect(shown.append)
    popup.results_shown.connect(lambda _text: loop.quit())
    samples = []
    for query in queries:
        popup.popup()
        popup.box.clear()
        for char in query[:8]:
            shown.clear()
            expected = popup.box.text() + char
            started = time.perf_counter()
            popup.box.insert(char)  # what a key press does (QTest cannot type every letter)
            if expected not in shown:  # wait idle in the event loop, as the app does
                QTimer.singleShot(10_000, loop.quit)
                loop.exec()
            if expected not in shown:
                raise RuntimeError(f"no results shown for {expected!r}")
            popup.results.viewport().repaint()
            samples.append(time.perf_counter() - started)
        popup.hide()
    ctx.tasks.shutdown()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5, help="cold starts to time")
    parser.add_argument("--words", type=int, default=60, help="queries to type")
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument(
        "--stores",
        choices=("both", "encrypted", "plain"),
        default="encrypted",
        help="encrypted (SQLCipher, as the app), plain SQLite, or both to compare",
    )
    parser.add_argument("--child-start", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--plain", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_start:
        child_start(args.child_start, args.plain)
        return
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from sfa_desktop.ui.search_popup import MIN_CHARS

    cache = args.cache or Path.home() / ".cache" / "sfa-desktop" / f"ui-bench-{args.contacts}.db"
    build(cache, args.contacts)
    modes = ("plain", "encrypted") if args.stores == "both" else (args.stores,)
    paths = {"plain": cache}
    if "encrypted" in modes:
        paths["encrypted"] = encrypted_copy(cache)
    with bench_keyring(paths.get("encrypted", cache)):
        samples: dict[str, list[tuple[float, float, float]]] = {mode: [] for mode in modes}
        for _ in range(args.runs):  # alternating, so drift in the machine hits both
            for mode in modes:
                samples[mode].append(cold_start(paths[mode], plain=mode == "plain"))
    for mode in modes:
        starts, cpu, services = (list(column) for column in zip(*samples[mode], strict=True))
        print(
            f"{mode}: cold start to first account page: median "
            f"{statistics.median(starts) * 1000:.0f} ms, max {max(starts) * 1000:.0f} ms over "
            f"{len(starts)} runs (target < 1000 ms); CPU used by then median "
            f"{statistics.median(cpu) * 1000:.0f} ms; background services up at median "
            f"{statistics.median(services) * 1000:.0f} ms"
        )
    for mode in modes:
        latencies = search_latency(paths[mode], args.words, BENCH_KEY if mode != "plain" else None)
        print(
            f"{mode}: search as you type ({len(latencies)} keystrokes): "
            f"p50 {_percentile(latencies, 0.5) * 1000:.1f} ms, "
            f"p95 {_percentile(latencies, 0.95) * 1000:.1f} ms, "
            f"max {max(latencies) * 1000:.1f} ms (target p95 < 50 ms; "
            f"searching starts at {MIN_CHARS} letters)"
        )


if __name__ == "__main__":
    main()

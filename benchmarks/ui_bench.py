"""Desktop UI benchmark: cold start to the first account page, and search-as-you-type latency.

Builds (once, cached) a store with 100k contacts / 50k opportunities / 200k activities from
the demo generator, with their audit entries, filled by the app's download path (sync
engine and client over pre-rendered pull pages), then
- starts the app in fresh subprocesses and times process start -> first account page shown;
- types queries into the Ctrl+K search one key at a time and times keystroke -> results
  shown, for the keystrokes that start a new search: those that change the search box's
  effective query (`search_popup.effective_query`: a last word shorter than its minimum
  is left out) to a non-empty one. The other keystrokes are typed and waited for, untimed.

    python benchmarks/ui_bench.py [--contacts 100000] [--runs 5] [--words 60] [--cache DIR]
        [--stores encrypted|plain|both] [--baseline DIR]

The store is encrypted with SQLCipher as in the app, its key read at start-up from the
keyring the app finds (with no system keyring: the tests' stand-in for one, its entries in a
temporary folder, since the app takes no plain-file keyring);
`--stores plain` measures a plain SQLite file, `--stores both` alternates the two. Cached
stores are named by the store and server schema versions and the generator's parameters.

`--baseline DIR` (another checkout, e.g. a `git worktree` of an older commit) alternates
that tree's app ("before") with this one's ("after") on the same store, and prints both.

The app's modules are byte-compiled before the first start, as an installed app's are (pip
and the bundle ship them compiled): with PYTHONDONTWRITEBYTECODE set, as on the shared
build machine, every start would otherwise compile ~130 modules (~0.4 s of CPU). The
1-minute load average is printed with each figure (other work on the machine skews them).

Targets: start < 1 s (services up < 1.5 s), search p95 < 20 ms.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parents[1]))  # after PYTHONPATH (--baseline)
START_MARK = "FIRST-ACCOUNT-PAGE"
READY_MARK = "SERVICES-STARTED"
BENCH_KEY = bytes(range(32))  # a fixed raw key: the app's keys are random, the cost the same
TODAY = date(2026, 11, 23)
SEED = 7
START_TARGET_MS = 1000
SERVICES_TARGET_MS = 1500
SEARCH_TARGET_MS = 20


def store_path(contacts: int, encrypted: bool, folder: Path | None) -> Path:
    """Where the benchmark store of this size lives (keyed by schema versions and size)."""
    from benchdata import cache_path

    kind = "encrypted" if encrypted else "plain"
    path = cache_path("ui-bench", ".db", contacts=contacts, seed=SEED, today=TODAY, store=kind)
    return folder / path.name if folder else path


def build(path: Path, contacts: int, key: bytes | None) -> None:
    """Create the benchmark store at `path` unless it is there already: the demo data (a
    whole organisation, signed in as its first rep) downloaded as the app downloads."""
    from benchdata import PageServer, as_pushed, download

    from sfa_desktop.demo import DemoSize, first_rep, generate
    from sfa_desktop.store import Store

    if path.exists():
        return
    # Built under its own name in a folder of its own, then its files (the store's
    # sidecars, such as the outbox copy, first) moved beside the cached stores.
    folder = path.parent / f"{path.name}.building"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    size = DemoSize.scaled(contacts)
    started = time.perf_counter()
    server = PageServer(as_pushed(generate(size, seed=SEED, today=TODAY)))
    store = Store.open(folder / path.name, key=key)
    count = download(store, server.transport()).pulled
    store.sign_in_as(first_rep(size, seed=SEED, today=TODAY))
    store.close()
    if (folder / f"{path.name}-wal").exists():  # the last connection checkpoints it away
        raise RuntimeError(f"{folder / path.name} was not closed cleanly (its WAL is there)")
    for file in sorted(folder.iterdir(), key=lambda file: file.name == path.name):
        file.replace(path.parent / file.name)
    folder.rmdir()
    print(f"built {path} with {count:,} records in {time.perf_counter() - started:.0f} s")


@contextmanager
def bench_keyring(store: Path) -> Iterator[None]:
    """The encrypted store's key in the keyring the app finds, as on a rep's machine: the
    first start finds the backend and remembers it in a fresh config folder, later starts
    name it (sfa_desktop.security.keyring_backend). With no OS keyring, the tests' stand-in
    for one (tests/stand_in_keyrings.py) keeps the entry in the temporary folder; the entry
    is removed at the end from any other keyring."""
    from sfa_desktop.security import keyring_backend, store_key

    with tempfile.TemporaryDirectory() as folder:
        os.environ["XDG_DATA_HOME"] = folder  # for this process and the app processes
        os.environ["XDG_CONFIG_HOME"] = folder
        if not keyring_backend.usable():
            _stand_in_keyring(Path(folder) / "keyring.json")
        store_key.remember(store, BENCH_KEY)
        try:
            yield
        finally:
            store_key.forget(store)


def _stand_in_keyring(entries: Path) -> None:
    """The tests' OS keyring stand-in, for this process and the app processes."""
    import keyring

    tests = str(Path(__file__).resolve().parents[1] / "tests")
    sys.path.insert(0, tests)
    from stand_in_keyrings import FILE_ENV, FileStandIn

    os.environ[FILE_ENV] = str(entries)
    os.environ["PYTHON_KEYRING_BACKEND"] = "stand_in_keyrings.FileStandIn"
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [tests, os.environ.get("PYTHONPATH")]))
    keyring.set_keyring(FileStandIn())


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


def tree_env(root: Path | None) -> dict[str, str]:
    """The environment of an app process running checkout `root` (None: this one)."""
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    if root is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))
    return env


def compile_app(root: Path | None) -> None:
    """Byte-compile the app's modules of checkout `root` (None: this one), as installed."""
    package = (root or Path(__file__).resolve().parents[1]) / "sfa_desktop"
    compileall.compile_dir(str(package), quiet=1)


def cold_start(path: Path, plain: bool, root: Path | None = None) -> tuple[float, float, float]:
    """Seconds from process start to the first page painted (wall and the process's CPU),
    and to the background services started."""
    started = time.time()
    result = subprocess.run(
        [sys.executable, __file__, "--child-start", str(path), *(["--plain"] * plain)],
        capture_output=True,
        text=True,
        check=True,
        env=tree_env(root),
    )
    marks = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines()}
    return (
        float(marks[START_MARK][0]) - started,
        float(marks[START_MARK][1]),
        float(marks[READY_MARK][0]) - started,
    )


def search_latency(path: Path, words: int, key: bytes | None) -> tuple[list[float], int]:
    """Type words letter by letter into the search popup; time each key that starts a new
    search (see the module's doc) to its results shown. Returns the times and the number
    of keys typed."""
    from PySide6.QtCore import QEventLoop, QTimer

    from sfa_desktop.core.entities import Account, Contact
    from sfa_desktop.store import Store
    from sfa_desktop.ui.app import application, build_context
    from sfa_desktop.ui.main_window import MainWindow
    from sfa_desktop.ui.shell.search_popup import effective_query

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
    samples, typed = [], 0
    for query in queries:
        popup.popup()
        popup.box.clear()
        for char in query[:8]:
            shown.clear()
            before = popup.box.text()
            expected = before + char
            searches = effective_query(expected) not in ("", effective_query(before))
            started = time.perf_counter()
            popup.box.insert(char)  # what a key press does (QTest cannot type every letter)
            if expected not in shown:  # wait idle in the event loop, as the app does
                QTimer.singleShot(10_000, loop.quit)
                loop.exec()
            if expected not in shown:
                raise RuntimeError(f"no results shown for {expected!r}")
            popup.results.viewport().repaint()
            typed += 1
            if searches:
                samples.append(time.perf_counter() - started)
        popup.hide()
    ctx.tasks.shutdown()
    store.close()
    return samples, typed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5, help="cold starts to time")
    parser.add_argument("--words", type=int, default=60, help="queries to type")
    parser.add_argument("--cache", type=Path, default=None, help="folder of the cached stores")
    parser.add_argument(
        "--stores",
        choices=("both", "encrypted", "plain"),
        default="encrypted",
        help="encrypted (SQLCipher, as the app), plain SQLite, or both to compare",
    )
    parser.add_argument(
        "--baseline", type=Path, help="another checkout whose app is measured alternately"
    )
    parser.add_argument("--child-start", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--child-search", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--plain", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_start:
        child_start(args.child_start, args.plain)
        return
    if args.child_search:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        samples, typed = search_latency(args.child_search, args.words, _key(args.plain))
        print(json.dumps({"samples": samples, "typed": typed}))
        return
    if args.baseline:
        compare(args)
        return
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from stats import against, median, percentile

    from sfa_desktop.ui.shell.search_popup import MIN_CHARS

    modes = ("plain", "encrypted") if args.stores == "both" else (args.stores,)
    paths = {mode: store_path(args.contacts, mode == "encrypted", args.cache) for mode in modes}
    for mode, path in paths.items():
        build(path, args.contacts, BENCH_KEY if mode == "encrypted" else None)
    compile_app(None)
    with bench_keyring(paths.get("encrypted", paths[modes[0]])):
        samples: dict[str, list[tuple[float, float, float]]] = {mode: [] for mode in modes}
        for _ in range(args.runs):  # alternating, so drift in the machine hits both
            for mode in modes:
                samples[mode].append(cold_start(paths[mode], plain=mode == "plain"))
    for mode in modes:
        starts, cpu, services = (list(column) for column in zip(*samples[mode], strict=True))
        start_ms = median(starts) * 1000
        print(
            f"{mode}: cold start to first account page: median {start_ms:.0f} ms, "
            f"max {max(starts) * 1000:.0f} ms over {len(starts)} runs; CPU used by then "
            f"median {median(cpu) * 1000:.0f} ms; background services up at median "
            f"{median(services) * 1000:.0f} ms"
        )
        print(f"{mode}: cold start {against(start_ms, START_TARGET_MS, 'ms', at_most=True)}")
        up_ms = median(services) * 1000
        print(f"{mode}: services up {against(up_ms, SERVICES_TARGET_MS, 'ms', at_most=True)}")
        print(f"{mode}: load average {os.getloadavg()[0]:.2f}")
    for mode in modes:
        key = BENCH_KEY if mode == "encrypted" else None
        latencies, typed = search_latency(paths[mode], args.words, key)
        p95_ms = percentile(latencies, 0.95) * 1000
        print(
            f"{mode}: search as you type, {len(latencies)} of {typed} keystrokes started a "
            f"search (the others left the query unchanged or under {MIN_CHARS} letters): "
            f"p50 {median(latencies) * 1000:.1f} ms, p95 {p95_ms:.1f} ms, "
            f"max {max(latencies) * 1000:.1f} ms"
        )
        print(f"{mode}: search p95 {against(p95_ms, SEARCH_TARGET_MS, 'ms', at_most=True)}")


def _key(plain: bool) -> bytes | None:
    return None if plain else BENCH_KEY


def compare(args: argparse.Namespace) -> None:
    """Cold starts and search as you type (`runs` times each), the baseline's app and this
    one's alternately (each search run in a fresh process of its tree), side by side."""
    from stats import against, median, percentile

    plain = args.stores == "plain"
    if args.stores == "both":
        raise SystemExit("ui_bench: --baseline compares one kind of store: encrypted or plain")
    path = store_path(args.contacts, not plain, args.cache)
    build(path, args.contacts, _key(plain))
    trees: dict[str, Path | None] = {"before": args.baseline, "after": None}
    for root in trees.values():
        compile_app(root)
    starts: dict[str, list[tuple[float, float, float]]] = {name: [] for name in trees}
    searches: dict[str, list[float]] = {name: [] for name in trees}
    loads: list[float] = []
    with bench_keyring(path):
        for _ in range(args.runs):  # alternating, so drift in the machine hits both
            for name, root in trees.items():
                starts[name].append(cold_start(path, plain, root))
                loads.append(os.getloadavg()[0])
        for _ in range(args.runs):
            for name, root in trees.items():
                command = [sys.executable, __file__, "--child-search", str(path)]
                command += ["--words", str(args.words)] + ["--plain"] * plain
                output = subprocess.run(
                    command, capture_output=True, text=True, check=True, env=tree_env(root)
                )
                found = json.loads(output.stdout.strip().splitlines()[-1])["samples"]
                searches[name] += found
                loads.append(os.getloadavg()[0])
    print(
        f"-- {args.runs} alternating cold starts each; load average {median(loads):.2f} "
        f"(from {min(loads):.2f} to {max(loads):.2f})"
    )
    for name in trees:
        wall, cpu, up = (list(column) for column in zip(*starts[name], strict=True))
        p95 = percentile(searches[name], 0.95) * 1000
        print(
            f"{name:<6} cold start median {median(wall) * 1000:6.0f} ms (CPU "
            f"{median(cpu) * 1000:.0f} ms), services up {median(up) * 1000:6.0f} ms; search "
            f"p50 {median(searches[name]) * 1000:.1f} ms, p95 {p95:.1f} ms "
            f"({len(searches[name])} searches)"
        )
    after_start = median([s[0] for s in starts["after"]]) * 1000
    after_up = median([s[2] for s in starts["after"]]) * 1000
    after_p95 = percentile(searches["after"], 0.95) * 1000
    print(f"after: cold start {against(after_start, START_TARGET_MS, 'ms', at_most=True)}")
    print(f"after: services up {against(after_up, SERVICES_TARGET_MS, 'ms', at_most=True)}")
    print(f"after: search p95 {against(after_p95, SEARCH_TARGET_MS, 'ms', at_most=True)}")


if __name__ == "__main__":
    main()

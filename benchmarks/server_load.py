"""server_bench's servers: real `sfa-server serve` processes (the one ServerProcess of
sfa_desktop.sync.local_server), and the CPU and memory they, PostgreSQL and the box spend."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sfa_desktop.sync.local_server import ServerProcess

CHEAP = {"SFA_PASSWORD_TIME_COST": "1", "SFA_PASSWORD_MEMORY_KIB": "1024"}


@contextmanager
def server(url: str, workers: int, cheap_hashes: bool) -> Iterator[ServerProcess]:
    """`sfa-server serve` on `url` with `workers` processes; `BENCH_SERVER_ROOT` names
    another checkout whose server to run (before/after comparisons)."""
    here = Path(__file__).resolve().parents[1]
    root = Path(os.environ.get("BENCH_SERVER_ROOT", str(here)))
    path = os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))
    env = {
        **(CHEAP if cheap_hashes else {}),
        "SFA_DATABASE_URL": url,
        "SFA_SECRET_KEY": "bench-secret-0123456789abcdef0123456789",
        "PYTHONPATH": path,
    }
    if "BENCH_POOL" in os.environ:
        env["SFA_DB_POOL_SIZE"] = os.environ["BENCH_POOL"]
    process = ServerProcess(env, cwd=root)
    process.start(timeout=60, workers=workers)
    try:
        yield process
    finally:
        process.stop()


def cpu_seconds(server: ServerProcess) -> float:
    """CPU time of the server process and its children (uvicorn workers) so far."""
    return sum(_cpu_of(pid) for pid in _tree(server.pid)) if server.pid else 0.0


def peak_rss_mib(server: ServerProcess) -> float:
    """The largest peak resident memory of the server's processes."""
    peaks = [0.0]
    for pid in _tree(server.pid) if server.pid else []:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
    return max(peaks)


def _tree(root: int) -> list[int]:
    pids, children = [root], []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{root}/task"):
            children += Path(f"/proc/{root}/task/{task}/children").read_text().split()
    for child in children:
        pids += _tree(int(child))
    return pids


def _cpu_of(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_cpu() -> float:
    """CPU seconds of every process named postgres so far (ours and anyone else's)."""
    total = 0.0
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            with contextlib.suppress(OSError):
                if Path(f"/proc/{pid}/comm").read_text().strip() == "postgres":
                    total += _cpu_of(int(pid))
    return total


def box_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    ticks = os.sysconf("SC_CLK_TCK")
    return (sum(values) - idle) / ticks, sum(values) / ticks


@contextmanager
def measured(servers: list[ServerProcess]) -> Iterator[dict[str, float]]:
    """Wall time, server CPU, bench client CPU and the machine's busy share of a phase."""
    out: dict[str, float] = {}
    server0, pg0 = sum(cpu_seconds(s) for s in servers), postgres_cpu()
    client0, (busy0, total0), wall0 = time.process_time(), box_busy(), time.perf_counter()
    yield out
    busy1, total1 = box_busy()
    out["elapsed"] = time.perf_counter() - wall0
    out["server"] = sum(cpu_seconds(s) for s in servers) - server0
    out["postgres"] = max(0.0, postgres_cpu() - pg0)  # a postgres process that ended drops out
    out["client"] = time.process_time() - client0
    out["box"] = (busy1 - busy0) / max(1e-9, total1 - total0)

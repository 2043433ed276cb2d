"""Deterministic, realistic demo data for the client, the server and the benchmarks.

`generate(size, seed=..., today=...)` streams validated core records in foreign-key order;
`demo_users` gives the same users without generating the rest; `DemoRun` also gives
the history the records imply (deals and calls as past weekly snapshots saw them).
"""

from sfa_desktop.demo.generator import DemoRun, demo_users, first_rep, generate
from sfa_desktop.demo.size import DemoSize

__all__ = ["DemoRun", "DemoSize", "demo_users", "first_rep", "generate"]

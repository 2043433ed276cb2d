"""Deterministic, realistic demo data for the client, the server and the benchmarks.

`generate(size, seed=..., today=...)` streams validated core records in foreign-key order;
`demo_users` gives the same users without generating the rest.
"""

from sfa_desktop.demo.generator import demo_users, first_rep, generate
from sfa_desktop.demo.size import DemoSize

__all__ = ["DemoSize", "demo_users", "first_rep", "generate"]

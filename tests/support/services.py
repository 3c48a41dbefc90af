"""The services tests share with whatever else runs: PostgreSQL and Redis. Under pytest-xdist
(`make test` runs two test processes) each process has a database of its own on each, so one
process's reset never empties the other's: TEST_DATABASE_URL's database with `_gw0`, `_gw1`, …
after its name (`.ci/run` creates them), and TEST_REDIS_URL's database number plus 1, 2, …
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy.engine import make_url

#: This test process under pytest-xdist ("gw0", "gw1", …), or "" when pytest runs alone.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def _worker_number() -> int | None:
    return int(WORKER.removeprefix("gw")) if WORKER.startswith("gw") else None


def postgresql_url() -> str:
    """TEST_DATABASE_URL for this test process ("" when unset)."""
    url, number = os.environ.get("TEST_DATABASE_URL", ""), _worker_number()
    if not url or number is None:
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_gw{number}").render_as_string(hide_password=False)


def redis_url() -> str:
    """TEST_REDIS_URL for this test process ("" when unset)."""
    url, number = os.environ.get("TEST_REDIS_URL", ""), _worker_number()
    if not url or number is None:
        return url
    parts = urlsplit(url)
    first = int(parts.path.strip("/") or "0")
    return urlunsplit(parts._replace(path=f"/{first + 1 + number}"))

"""A process of its own that saves assessments from several threads at once, as a server's worker
would: `python -m tests.support.writers DATABASE_URL THREADS SAVES`.

It makes its app, prints "ready", and waits for a line on its standard input; then each thread saves
SAVES assessments, and the process prints what each save gave, one a line: the reference, or
"failed: <the error>". Several of these started together write to one database at the same moment.
"""

from __future__ import annotations

import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

from tests.support.apps import make_app
from tests.support.cases import vignettes
from tests.support.flow import RULES
from triage.storage import repository
from triage.storage.codes import Channel


def main(url: str, threads: int, saves: int) -> None:
    """Save threads × saves assessments into the database at `url`, all threads at once."""
    app = make_app(tempfile.mkdtemp(prefix="triage-writer-"), url)
    outcome = RULES.assess(vignettes()[0]["answers"])

    def save(_thread: int) -> list[str]:
        given = []
        with app.app_context():
            for _ in range(saves):
                try:
                    given.append(repository.save_assessment(outcome, Channel.API, "en"))
                except repository.StorageUnavailable as exc:
                    given.append(f"failed: {exc}")
        return given

    print("ready", flush=True)
    sys.stdin.readline()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for given in pool.map(save, range(threads)):
            print("\n".join(given), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))

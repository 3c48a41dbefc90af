"""`make bench-web`: the patient journey and the JSON API under gunicorn, beside a bare Flask baseline
in the same run, as ratios project ÷ baseline.

Both apps are served by gunicorn on 127.0.0.1 with the same settings (deploy/gunicorn.conf.py;
WEB_CONCURRENCY and GUNICORN_THREADS from the environment). A bounded asyncio client (aiohttp) runs
VIRTUAL_USERS concurrent visitors, each journey a new visitor with no cookies:

- the patient journey: every question page GET and POST with its CSRF token, check answers (GET
  and POST), the result; against the baseline's form GET, POST (CSRF), redirect and result;
- the JSON API: an assessment without saving, and one saved with an API key, against a bare JSON
  echo endpoint.

Each scenario runs ROUNDS times, baseline and project in turn (paired; who goes first alternates
from round to round), and the medians are shown:
per-request p50/p95/p99, requests/s, journeys/s, the servers' CPU milliseconds per request (from
/proc), bytes per page as sent (gzip where the server compresses) and the ratios. Nothing leaves
127.0.0.1; every run is bounded in count and time.

The project uses its own SQLite file, or BENCH_DATABASE_URL: an empty database made for the
benchmark (e.g. PostgreSQL on 127.0.0.1), which it migrates and writes into.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import yaml

ROOT = Path(__file__).resolve().parents[1]
VIGNETTES = ROOT / "tests" / "cases" / "vignettes.yaml"
VIRTUAL_USERS = int(os.environ.get("BENCH_USERS", "50"))
JOURNEYS = int(os.environ.get("BENCH_JOURNEYS", "300"))  # patient journeys per run
API_CALLS = int(os.environ.get("BENCH_API_CALLS", "3000"))  # API requests per run
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
TIME_LIMIT = 120.0  # seconds: a run stops here whatever its count
UNLIMITED = "1000000 per minute"  # the benchmark's one address would hit the real limits at once
_TOKEN = re.compile(rb'<input[^>]*name="csrf_token"[^>]*>')
_VALUE = re.compile(rb'value="([^"]+)"')


@dataclass
class Run:
    """What one run measured."""

    latencies: list[float] = field(default_factory=list)
    page_bytes: list[int] = field(default_factory=list)
    journeys: int = 0
    seconds: float = 0.0
    cpu_ms: float = 0.0
    failures: int = 0
    first_failure: str = ""

    @property
    def requests(self) -> int:
        return len(self.latencies)

    def per_second(self) -> float:
        return self.requests / self.seconds

    def quantile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


# --- the servers ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """A gunicorn server on 127.0.0.1, with the CPU time its processes used."""

    def __init__(self, app: str, env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [
            sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
            "--bind", f"127.0.0.1:{self.port}", app,
        ]  # fmt: skip
        self.process = subprocess.Popen(  # noqa: S603  # our own interpreter and arguments
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )

    def wait(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the server stopped: {self.process.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("the server did not start within 30 s")

    def cpu_seconds(self) -> float:
        """User and system time of the master, its live workers, and the workers it has reaped
        (gunicorn restarts a worker after GUNICORN_MAX_REQUESTS: its time moves to the master's)."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in [self.process.pid, *_children(self.process.pid)]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
            if pid == self.process.pid:
                total += int(fields[13]) + int(fields[14])  # cutime, cstime: children waited for
        return total / ticks

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(child) for child in found]


def project_environment(folder: Path) -> dict[str, str]:
    """The project's settings for the run: its own SQLite file and limits no benchmark reaches."""
    env = {
        **os.environ,
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder / 'bench.sqlite3'}",
        "SESSION_COOKIE_SECURE": "false",
        "LOG_LEVEL": "WARNING",
    }
    for limit in ("PATIENT_PAGES", "PATIENT_FORMS", "API_ADDRESS", "API_KEY", "STAFF_SAVES"):
        env[f"RATELIMIT_{limit}"] = UNLIMITED
    return env


def prepare_project(env: dict[str, str]) -> str:
    """Migrate the benchmark's database and make an API key; the key."""
    python = sys.executable
    subprocess.run([python, "-m", "triage", "prepare"], cwd=ROOT, env=env, check=True, capture_output=True)  # noqa: S603
    made = subprocess.run(  # noqa: S603
        [python, "-m", "triage", "api-keys", "create", "bench"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return made.stdout.strip().splitlines()[-1]


# --- the visitors --------------------------------------------------------------------------------


def journey_answers() -> dict[str, Any]:
    """The answers of the public vignette that asks the most pages without an early exit."""
    from triage.engine import load_rules
    from triage.questionnaire import Questionnaire

    rules = load_rules()
    flow = Questionnaire.of(rules)
    cases = yaml.safe_load(VIGNETTES.read_text(encoding="utf-8"))["cases"]
    usable = [c["answers"] for c in cases if not flow.needs_emergency_now(c["answers"])]
    return max(usable, key=lambda answers: len(flow.asked(answers)))


def page_posts(answers: dict[str, Any]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Each question page's address and what is ticked and typed on it, in order."""
    from triage.engine import load_rules
    from triage.questionnaire import Questionnaire
    from triage.questionnaire.fields import to_form_value

    rules = load_rules()
    posts = []
    for page in Questionnaire.of(rules).asked(answers):
        data: list[tuple[str, str]] = []
        for question in page.questions:
            if question.id in answers:
                value = to_form_value(question, answers[question.id])
                data += (
                    [(question.id, str(v)) for v in value]
                    if isinstance(value, list)
                    else [(question.id, str(value))]
                )
        posts.append((f"/questions/{page.id}", data))
    return posts


def _body(raw: bytes, encoding: str) -> bytes:
    return zlib.decompress(raw, 16 + zlib.MAX_WBITS) if encoding == "gzip" else raw


def _token(page: bytes) -> str:
    tag = _TOKEN.search(page)
    value = _VALUE.search(tag.group(0)) if tag else None
    if not value:
        raise ValueError(f"no CSRF token on the page: {page[:300]!r}")
    return value.group(1).decode()


class Visitor:
    """One browser: its own cookies, gzip accepted, redirects not followed (each counted)."""

    def __init__(self, base: str, run: Run) -> None:
        self.base, self.run = base, run
        self.http = aiohttp.ClientSession(
            cookie_jar=aiohttp.CookieJar(unsafe=True),
            auto_decompress=False,
            headers={"Accept-Encoding": "gzip", "Accept-Language": "en"},
        )

    async def request(self, method: str, path: str, expect: int, **kwargs: Any) -> bytes:
        started = time.perf_counter()
        async with self.http.request(method, self.base + path, allow_redirects=False, **kwargs) as response:
            raw = await response.read()
            self.run.latencies.append(time.perf_counter() - started)
            if response.status != expect:
                raise RuntimeError(f"{method} {path}: {response.status}")
            if response.content_type == "text/html":
                self.run.page_bytes.append(len(raw))
            return _body(raw, response.headers.get("Content-Encoding", ""))

    async def close(self) -> None:
        await self.http.close()


async def project_journey(visitor: Visitor, posts: list[tuple[str, list[tuple[str, str]]]]) -> None:
    await visitor.request("GET", "/", 200)
    for path, data in posts:
        page = await visitor.request("GET", path, 200)
        await visitor.request("POST", path, 302, data=[("csrf_token", _token(page)), *data])
    page = await visitor.request("GET", "/check-answers", 200)
    await visitor.request("POST", "/check-answers", 302, data={"csrf_token": _token(page)})
    await visitor.request("GET", "/result", 200)


BASELINE_FORM = [
    ("age", "72"),
    ("fall", "yes"),
    ("numbness", "no"),
    ("weakness", "no"),
    ("conditions", "osteoporosis"),
    ("note", ""),
]


async def baseline_journey(visitor: Visitor) -> None:
    page = await visitor.request("GET", "/form", 200)
    await visitor.request("POST", "/form", 302, data=[("csrf_token", _token(page)), *BASELINE_FORM])
    await visitor.request("GET", "/result", 200)


def api_call(path: str, body: dict[str, Any], key: str | None = None) -> Callable[[Visitor], Awaitable[None]]:
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {key}"} if key else {})}
    payload = json.dumps(body)

    async def call(visitor: Visitor) -> None:
        await visitor.request("POST", path, 200, data=payload, headers=headers)

    return call


async def _drive(server: Server, one: Callable[[Visitor], Awaitable[None]], count: int, fresh: bool) -> Run:
    """`count` journeys (or calls) by VIRTUAL_USERS at once; a new visitor each journey if `fresh`."""
    run = Run()
    left = count
    deadline = time.monotonic() + TIME_LIMIT

    async def user() -> None:
        nonlocal left
        visitor = Visitor(server.url, run)
        try:
            while left > 0 and time.monotonic() < deadline:
                left -= 1
                if fresh:
                    await visitor.close()
                    visitor = Visitor(server.url, run)
                try:
                    await one(visitor)
                    run.journeys += 1
                except (RuntimeError, ValueError, aiohttp.ClientError) as exc:
                    run.failures += 1
                    run.first_failure = run.first_failure or str(exc)
        finally:
            await visitor.close()

    cpu = server.cpu_seconds()
    started = time.perf_counter()
    await asyncio.gather(*(user() for _ in range(VIRTUAL_USERS)))
    run.seconds = time.perf_counter() - started
    run.cpu_ms = (server.cpu_seconds() - cpu) * 1000 / max(run.requests, 1)
    return run


# --- the report ----------------------------------------------------------------------------------


@dataclass
class Pair:
    name: str
    baseline: list[Run] = field(default_factory=list)
    project: list[Run] = field(default_factory=list)


def _median(runs: list[Run], measure: Callable[[Run], float]) -> float:
    return statistics.median(measure(run) for run in runs)


MEASURES: list[tuple[str, Callable[[Run], float], str, bool]] = [
    ("requests/s", Run.per_second, "{:,.0f}", True),
    ("journeys/s", lambda r: r.journeys / r.seconds, "{:,.1f}", True),
    ("p50 ms", lambda r: r.quantile(0.50), "{:.1f}", False),
    ("p95 ms", lambda r: r.quantile(0.95), "{:.1f}", False),
    ("p99 ms", lambda r: r.quantile(0.99), "{:.1f}", False),
    ("server CPU ms/request", lambda r: r.cpu_ms, "{:.2f}", False),
    ("bytes per page", lambda r: statistics.mean(r.page_bytes) if r.page_bytes else 0, "{:,.0f}", False),
    ("failures", lambda r: r.failures, "{:.0f}", False),
]


def report(pairs: list[Pair]) -> str:
    lines = [
        f"{VIRTUAL_USERS} virtual users, medians of {ROUNDS} paired runs; gunicorn "
        f"{os.environ.get('WEB_CONCURRENCY', '(config default)')} workers × "
        f"{os.environ.get('GUNICORN_THREADS', '(config default)')} threads; the project's database: "
        f"{'BENCH_DATABASE_URL' if os.environ.get('BENCH_DATABASE_URL') else 'SQLite'}",
        "",
        "| scenario | measure | baseline | project | project ÷ baseline |",
        "|---|---|---:|---:|---:|",
    ]
    for pair in pairs:
        for name, measure, shape, _higher in MEASURES:
            base, ours = _median(pair.baseline, measure), _median(pair.project, measure)
            ratio = f"{ours / base:.2f}×" if base else "–"
            lines.append(f"| {pair.name} | {name} | {shape.format(base)} | {shape.format(ours)} | {ratio} |")
    return "\n".join(lines)


def server_time_per_page(posts: list[tuple[str, list[tuple[str, str]]]], journeys: int = 40) -> str:
    """The app's own CPU time per page, in this process (no server, no client): medians by page."""
    import logging

    from werkzeug.datastructures import MultiDict

    from triage import create_app
    from triage.extensions import db

    folder = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    app = create_app(
        {
            "SECRET_KEY": secrets.token_hex(16),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'pages.sqlite3'}",
            "SESSION_COOKIE_SECURE": False,
            "RATELIMIT_PATIENT_PAGES": UNLIMITED,
            "RATELIMIT_PATIENT_FORMS": UNLIMITED,
        }
    )
    logging.getLogger("triage").setLevel(logging.WARNING)
    with app.app_context():
        db.create_all()
    times: dict[str, list[float]] = {}

    def timed(name: str, call: Callable[..., Any], path: str, **data: Any) -> Any:
        started = time.process_time()
        answer = call(path, **data)
        times.setdefault(name, []).append(time.process_time() - started)
        return answer

    for round_ in range(journeys + 5):
        client = app.test_client()
        if round_ == 5:
            times.clear()  # the first journeys warm the caches
        timed("start page", client.get, "/")
        for path, data in posts:
            page = timed("question page GET", client.get, path)
            timed(
                "question page POST",
                client.post,
                path,
                data=MultiDict([("csrf_token", _token(page.data)), *data]),
            )
        page = timed("check answers GET", client.get, "/check-answers")
        timed(
            "check answers POST (saves)",
            client.post,
            "/check-answers",
            data={"csrf_token": _token(page.data)},
        )
        timed("result page", client.get, "/result")
    with app.app_context():
        db.engine.dispose()
    shutil.rmtree(folder, ignore_errors=True)
    lines = ["| page | server CPU ms (median, in-process) |", "|---|---:|"]
    lines += [f"| {name} | {statistics.median(values) * 1000:.2f} |" for name, values in times.items()]
    return "\n".join(lines)


def static_caching(base: str) -> str:
    """How the project's style sheet and script are cached by a browser (from their headers)."""
    import urllib.request

    with urllib.request.urlopen(base + "/", timeout=10) as response:  # noqa: S310  # 127.0.0.1 only
        page = response.read().decode()
    assets = re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js)(?:\?[^"]*)?)"', page)
    lines = []
    for asset in assets:
        request = urllib.request.Request(base + asset, headers={"Accept-Encoding": "gzip"})  # noqa: S310
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            lines.append(
                f"{asset}: Cache-Control: {response.headers.get('Cache-Control', '-')}; "
                f"Content-Encoding: {response.headers.get('Content-Encoding', '-')}"
            )
    return "\n".join(lines)


async def main_async() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-web-"))
    env = project_environment(folder)
    try:
        key = prepare_project(env)
        answers = journey_answers()
        posts = page_posts(answers)
        project = Server("run:app", env)
        baseline = Server("benchmarks.baseline:make_baseline()", {**os.environ, "LOG_LEVEL": "WARNING"})
        try:
            project.wait()
            baseline.wait()
            journeys = Pair(f"patient journey ({len(posts)} pages)")
            evaluate = Pair("API: assess, not saved")
            save = Pair("API: assess and save (key)")
            echo = api_call("/echo", answers)
            scenarios = [
                (journeys, baseline_journey, lambda v: project_journey(v, posts), JOURNEYS, True),
                (evaluate, echo, api_call("/api/v1/assessments", answers), API_CALLS, False),
                (save, echo, api_call("/api/v1/assessments", answers, key), API_CALLS, False),
            ]
            for round_ in range(ROUNDS):
                for pair, theirs, ours, count, fresh in scenarios:
                    # Each round swaps who goes first: this machine's speed drifts, and a pair run in
                    # the same order every time would lean the same way every time.
                    order = [(pair.baseline, baseline, theirs), (pair.project, project, ours)]
                    for runs, server, one in order if round_ % 2 == 0 else reversed(order):
                        runs.append(await _drive(server, one, count, fresh=fresh))
            print(report([journeys, evaluate, save]))
            for pair in (journeys, evaluate, save):
                for run in pair.baseline + pair.project:
                    if run.first_failure:
                        print(f"{pair.name}: {run.failures} failed, the first: {run.first_failure}")
            print()
            print(static_caching(project.url))
            print()
            print(server_time_per_page(posts))
        finally:
            project.stop()
            baseline.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    asyncio.run(main_async())


if __name__ == "__main__":
    main()

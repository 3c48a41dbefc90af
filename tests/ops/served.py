"""Spine Triage served as production serves it, for the tests of serving: an installation prepared by
`python -m triage prepare`, gunicorn started from deploy/gunicorn.conf.py with its settings in the
environment, and clients that send their requests slowly. Everything listens on and talks to
127.0.0.1 only; every loop is bounded in count and in time, and every process started is stopped.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from tests.support.apps import settings_in
from triage import PROJECT_ROOT

GUNICORN_CONFIG = PROJECT_ROOT / "deploy" / "gunicorn.conf.py"
STARTUP_SECONDS = 60
#: gunicorn's own settings (deploy/gunicorn.conf.py reads them): none may leak in from the shell.
GUNICORN_SETTINGS = ("BIND", "WEB_CONCURRENCY", "GUNICORN_", "FORWARDED_ALLOW_IPS", "LOG_LEVEL")


_CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Served:
    """A server started for a module's tests: its address and its log file."""

    url: str
    log: Path


def csrf_token(page: requests.Response) -> str:
    """The CSRF token of the first form on a served page."""
    found = _CSRF_TOKEN.search(page.text)
    assert found, "no CSRF token on the page"
    return found.group(1)


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def installation(folder: Path, **settings: str) -> dict[str, str]:
    """The environment of a prepared installation in `folder`: its own SQLite database (migrated by
    `python -m triage prepare`), a secret key, nothing else from the shell; `settings` on top."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in settings_in(os.environ) and not name.startswith(GUNICORN_SETTINGS)
    }
    env |= {
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": f"sqlite:///{folder / 'triage.sqlite3'}",
        **settings,
    }
    triage(env, "prepare")
    return env


def triage(env: Mapping[str, str], *args: str, stdin: str | None = None) -> str:
    """Run `python -m triage ARGS` for the installation; its standard output."""
    done = subprocess.run(  # our own interpreter and arguments
        [sys.executable, "-m", "triage", *args],
        cwd=PROJECT_ROOT,
        env=dict(env),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


@dataclass
class Server:
    """A process started for a test, with the file its standard error goes to."""

    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


@contextmanager
def running(command: list[str], env: Mapping[str, str], log: Path) -> Iterator[Server]:
    """`command` running in the project's folder, its standard error in `log`; stopped at the end."""
    with log.open("wb") as output:  # the process writes on; this one needs no handle
        process = subprocess.Popen(  # our own interpreter or Debian's nginx, our arguments
            command, cwd=PROJECT_ROOT, env=dict(env), stdout=subprocess.DEVNULL, stderr=output
        )
    server = Server(process, log)
    try:
        yield server
    finally:
        server.stop()


def gunicorn_command() -> list[str]:
    """What `make serve` and the systemd unit run (their settings come from the environment)."""
    return [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONFIG), "run:app"]


def wait_until_answering(url: str, server: Server, verify: str | bool = True) -> None:
    """Return once `url` answers 200; fail with the server's log if it stops or takes too long."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"the server stopped at start-up:\n{server.output()[-3000:]}")
        with suppress(requests.ConnectionError, requests.Timeout):
            if requests.get(url, timeout=2, verify=verify).status_code == 200:
                return
        time.sleep(0.3)
    pytest.fail(f"{url} did not answer within {STARTUP_SECONDS} s:\n{server.output()[-3000:]}")


#: How a slow client begins: a request's first line and part of its headers, or every header of a
#: POST whose body is then sent a byte at a time.
SLOW_HEADERS = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nUser-Agent: slow-client\r\nX-Slow: "
SLOW_BODY = (
    b"POST /staff/login HTTP/1.1\r\nHost: localhost\r\nUser-Agent: slow-client\r\n"
    b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 10000\r\n\r\n"
)


@dataclass
class SlowClients:
    """`count` connections to 127.0.0.1:`port` that each send `opening`, then one more byte every
    `interval` seconds, never finishing their request, for at most `seconds` (then they close).

    `tls`: the connections speak TLS (to nginx's HTTPS port). `dropped` counts the connections the
    server closed while they were still sending.
    """

    port: int
    opening: bytes
    count: int = 20
    interval: float = 1.0
    seconds: float = 30.0
    tls: bool = False
    dropped: int = 0
    _sockets: list[socket.socket] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _trickle: threading.Thread | None = None

    def __enter__(self) -> SlowClients:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # the test's own certificate; only the timing matters
        for _ in range(self.count):
            connection = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            if self.tls:
                connection = context.wrap_socket(connection, server_hostname="localhost")
            connection.sendall(self.opening)
            self._sockets.append(connection)
        self._trickle = threading.Thread(target=self._send_slowly, daemon=True)
        self._trickle.start()
        return self

    def _send_slowly(self) -> None:
        deadline = time.monotonic() + self.seconds
        for _ in range(int(self.seconds / self.interval)):
            if self._stop.wait(self.interval) or time.monotonic() > deadline:
                return
            for connection in list(self._sockets):
                try:
                    connection.sendall(b"a")
                except OSError:  # the server closed it
                    self.dropped += 1
                    self._sockets.remove(connection)
                    connection.close()

    def stop_and_count_open(self) -> int:
        """Stop sending; how many connections the server had neither answered nor closed by then."""
        self._stop.set()
        if self._trickle is not None:
            self._trickle.join(10)
        still_open = 0
        for connection in self._sockets:
            connection.settimeout(0)
            try:
                connection.recv(1)  # b"": closed; bytes: answered (an error page)
            except (BlockingIOError, ssl.SSLWantReadError):  # nothing sent back: still waiting
                still_open += 1
            except OSError:
                pass
        return still_open

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        if self._trickle is not None:
            self._trickle.join(10)
        for connection in self._sockets:
            connection.close()


def probe_healthz(url: str, times: int = 3, gap: float = 2.0, verify: str | bool = True) -> list[str]:
    """GET `url` (/healthz) `times` times, each after `gap` seconds and given 3 seconds: what each got."""
    seen = []
    for _ in range(times):
        time.sleep(gap)
        try:
            answer = requests.get(url, timeout=3, verify=verify, headers={"Connection": "close"})
            seen.append(str(answer.status_code))
        except requests.Timeout:
            seen.append("no answer within 3 s")
        except requests.ConnectionError as exc:
            seen.append(f"connection failed: {type(exc).__name__}")
    return seen


# --- nginx in front, from deploy/nginx.conf ----------------------------------------------------------

NGINX = Path("/usr/sbin/nginx")
NGINX_MISSING = f"{NGINX} not found: apt-get install nginx (Debian's package; .ci/run installs it)"
NGINX_SITE = PROJECT_ROOT / "deploy" / "nginx.conf"
#: An installation's own value in the site file: ${NAME}, filled in by envsubst (the file says how).
PLACEHOLDER = re.compile(r"\$\{([A-Z_]+)\}")
#: The main configuration the site is included from, standing in for Debian's /etc/nginx/nginx.conf
#: (which the tests leave alone): its pid file, error log and temporary files in the test's folder.
NGINX_MAIN = """\
daemon off;
worker_processes 1;
{user}
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/spine-triage.conf;
}}
"""


def nginx_or_skip() -> str:
    """Debian's nginx; skips the test without it (fails under CI=true, where .ci/run installs it)."""
    if not NGINX.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{NGINX_MISSING} (CI=true, so the nginx tests must run)", pytrace=False)
        pytest.skip(NGINX_MISSING)
    return str(NGINX)


def filled_in(site: str, values: Mapping[str, str]) -> str:
    """The site file with each ${NAME} replaced by its value, as envsubst does; every one must be given."""
    missing = set(PLACEHOLDER.findall(site)) - set(values)
    assert not missing, f"no value for {sorted(missing)} in {NGINX_SITE}"
    return PLACEHOLDER.sub(lambda found: values[found.group(1)], site)


def self_signed_certificate(folder: Path) -> Path:
    """A certificate for localhost and 127.0.0.1 in `folder` (fullchain.pem, privkey.pem, as certbot
    lays them out); the certificate's path, which clients trust."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    chain = folder / "fullchain.pem"
    chain.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    private = folder / "privkey.pem"
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    private.chmod(0o600)
    return chain


def nginx_configuration(folder: Path, values: Mapping[str, str]) -> Path:
    """deploy/nginx.conf filled in with `values`, included from a main configuration in `folder`;
    the main configuration's path."""
    (folder / "spine-triage.conf").write_text(filled_in(NGINX_SITE.read_text(), values))
    # As root, nginx's workers would otherwise run as nobody, who cannot open the test's folders.
    user = "user root;" if os.geteuid() == 0 else ""
    main = folder / "nginx.conf"
    main.write_text(NGINX_MAIN.format(folder=folder, user=user))
    return main


def nginx_command(main: Path) -> list[str]:
    """Debian's nginx on `main`, in the foreground, its start-up errors in the same folder."""
    folder = main.parent
    return [nginx_or_skip(), "-p", str(folder), "-e", str(folder / "error.log"), "-c", str(main)]

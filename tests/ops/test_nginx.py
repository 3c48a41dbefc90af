"""The deployment in deploy/: Debian's nginx from deploy/nginx.conf (filled in as the file says) in
front of gunicorn from deploy/gunicorn.conf.py, as a practice runs them.

Twenty clients sending their headers, or their bodies, a byte a second leave /healthz answering at
once: nginx reads requests whole before gunicorn sees them. Without /usr/sbin/nginx every test here
is skipped, except under CI=true (.ci/run installs it), where that is a failure. Everything listens
on and talks to 127.0.0.1 only; the slow clients are bounded in count and in time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests

from tests.ops.served import (
    NGINX_SITE,
    PLACEHOLDER,
    SLOW_BODY,
    SLOW_HEADERS,
    SlowClients,
    free_port,
    gunicorn_command,
    installation,
    nginx_command,
    nginx_configuration,
    nginx_or_skip,
    probe_healthz,
    running,
    self_signed_certificate,
    wait_until_answering,
)
from triage import PROJECT_ROOT
from triage.web.assets import FOREVER

SLOW_CLIENTS = 20


@dataclass
class Deployed:
    https: str  # https://127.0.0.1:port, through nginx
    http: str  # http://127.0.0.1:port, nginx's redirect to https
    port: int  # nginx's HTTPS port
    certificate: str  # what clients trust


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployed]:
    """gunicorn as `make serve` starts it (its address from BIND), nginx in front on HTTPS."""
    nginx_or_skip()
    folder = tmp_path_factory.mktemp("deployed")
    gunicorn_port, http_port, https_port = free_port(), free_port(), free_port()
    env = installation(folder, PROXY_COUNT="1", BIND=f"127.0.0.1:{gunicorn_port}")
    certificate = self_signed_certificate(folder / "certificates")
    main = nginx_configuration(
        folder,
        {
            "SERVER_NAME": "localhost",
            "HTTP_LISTEN": f"127.0.0.1:{http_port}",
            "HTTPS_LISTEN": f"127.0.0.1:{https_port}",
            "BIND": env["BIND"],
            "CERTIFICATES": str(certificate.parent),
            "APP_DIR": str(PROJECT_ROOT),
        },
    )
    with (
        running(gunicorn_command(), env, folder / "gunicorn.log") as gunicorn,
        running(nginx_command(main), env, folder / "nginx.log") as nginx,
    ):
        wait_until_answering(f"http://{env['BIND']}/healthz", gunicorn)
        https = f"https://127.0.0.1:{https_port}"
        wait_until_answering(f"{https}/healthz", nginx, verify=str(certificate))
        yield Deployed(https, f"http://127.0.0.1:{http_port}", https_port, str(certificate))


def test_the_site_file_says_how_each_of_its_values_is_filled_in() -> None:
    """Every ${NAME} in deploy/nginx.conf is in its envsubst line and explained under it."""
    site = NGINX_SITE.read_text()
    used = set(PLACEHOLDER.findall(site))
    command = re.search(r"envsubst '([^']+)'", site)
    assert command, "no envsubst line in the site file"
    assert set(re.findall(r"\$([A-Z_]+)", command.group(1))) == used
    explained = set(re.findall(r"^#   ([A-Z_]+) ", site, re.MULTILINE))
    assert explained == used


@pytest.mark.parametrize("opening", [SLOW_HEADERS, SLOW_BODY], ids=["slow headers", "slow bodies"])
def test_twenty_slow_clients_leave_healthz_answering_through_nginx(
    deployed: Deployed, opening: bytes
) -> None:
    with SlowClients(deployed.port, opening, count=SLOW_CLIENTS, tls=True) as slow:
        seen = probe_healthz(f"{deployed.https}/healthz", verify=deployed.certificate)
        still_sending = slow.stop_and_count_open()
    assert still_sending == SLOW_CLIENTS, (
        "the slow clients were not all kept waiting: the test proves nothing"
    )
    assert seen == ["200"] * 3, seen


def test_one_address_holds_at_most_the_configured_requests_in_progress(deployed: Deployed) -> None:
    """limit_conn in deploy/nginx.conf: one more request than it allows, while they wait, gets 429."""
    allowed = re.search(
        r"^\s*limit_conn spine_triage_per_address (\d+);", NGINX_SITE.read_text(), re.MULTILINE
    )
    assert allowed, "no limit_conn per address in the site file"
    with SlowClients(deployed.port, SLOW_BODY, count=int(allowed.group(1)), tls=True, seconds=10) as slow:
        seen = probe_healthz(f"{deployed.https}/healthz", times=1, verify=deployed.certificate)
        slow.stop_and_count_open()
    assert seen == ["429"]
    assert probe_healthz(f"{deployed.https}/healthz", times=1, gap=0.5, verify=deployed.certificate) == [
        "200"
    ]


def test_plain_http_is_sent_to_https(deployed: Deployed) -> None:
    answer = requests.get(f"{deployed.http}/staff/login", allow_redirects=False, timeout=5)
    assert answer.status_code == 301
    assert answer.headers["Location"].startswith("https://127.0.0.1")
    assert answer.headers["Location"].endswith("/staff/login")


def test_behind_nginx_the_app_knows_it_is_served_over_https(deployed: Deployed) -> None:
    """X-Forwarded-Proto from nginx, trusted with PROXY_COUNT=1: the cookie is Secure and __Host-."""
    answer = requests.get(f"{deployed.https}/staff/login", timeout=5, verify=deployed.certificate)
    assert answer.status_code == 200
    cookie = answer.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=") and "Secure" in cookie


def test_static_files_come_from_disk_kept_a_year_when_asked_for_by_their_hash(deployed: Deployed) -> None:
    page = requests.get(deployed.https, timeout=5, verify=deployed.certificate)
    sheet = re.search(r'href="(/static/[^"?]+\.css)\?v=([0-9a-f]+)"', page.text)
    assert sheet, "no fingerprinted style sheet on the start page"
    address, digest = sheet.groups()
    by_hash = requests.get(f"{deployed.https}{address}?v={digest}", timeout=5, verify=deployed.certificate)
    assert (by_hash.status_code, by_hash.headers["Cache-Control"]) == (200, FOREVER)
    plain = requests.get(f"{deployed.https}{address}", timeout=5, verify=deployed.certificate)
    assert (plain.status_code, plain.headers["Cache-Control"]) == (200, "no-cache")

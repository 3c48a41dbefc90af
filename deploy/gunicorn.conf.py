"""gunicorn settings for Spine Triage (`make serve`, deploy/spine-triage.service).

Every value can be set from the environment; the defaults suit a 2-core machine with the embedded
SQLite database. On PostgreSQL, more threads per worker help (see README, "Running it for real").
gunicorn is reached through nginx (deploy/nginx.conf), never directly: nginx reads each request
whole, however slowly it is sent, and each answer, however slowly it is read, so that a thread here
is only ever taken by a complete request.
"""

import gc
import os
from typing import Any

from triage.ops.readiness import announce_processes, counted_per_process

#: This machine only, for nginx in front; another address only when BIND says so.
bind = os.environ.get("BIND", "127.0.0.1:8000")
#: Rate limits counted in memory (RATELIMIT_STORAGE_URI=memory://, the default) are each process's
#: own, so then one process serves with threads and every limit is counted once; with a shared store
#: (Redis), one process per core. Threads: requests a process serves at once (SQLite writes one at
#: a time). Several processes on memory:// are refused at start-up (on_starting, below).
_IN_MEMORY = counted_per_process(os.environ.get("RATELIMIT_STORAGE_URI") or "memory://")
workers = int(os.environ.get("WEB_CONCURRENCY", "1" if _IN_MEMORY else "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "8" if _IN_MEMORY else "4"))
worker_class = "gthread"
#: Keep-alive between the reverse proxy and gunicorn; slow clients are the proxy's business.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
#: Restart a worker now and then, so that no slow leak grows without bound. Not often: each restart
#: loses the worker's caches and stalls its requests; a practice's traffic reaches 50,000 in weeks.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "50000"))
max_requests_jitter = 5000
#: The app is loaded (and its start-up checks run) once, before the workers are forked; the checks
#: close their database connections, so that each worker opens its own.
preload_app = True
#: gunicorn's access log would show each request's path (a path can tell a health fact); the app
#: logs one JSON line per request itself (triage/ops/serving.py). Errors still go to standard error.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
#: Behind a reverse proxy on the same machine: trust its X-Forwarded-* only from there.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "spine-triage"


def on_starting(server: Any) -> None:
    """The app is loaded (preload_app) and no worker forked yet: say how many processes and threads
    serve and where the rate limits are counted, or stop if each process would count its own."""
    announce_processes(server.app.wsgi(), server.cfg.workers, server.cfg.threads)


def pre_fork(server: object, worker: object) -> None:
    """Before a worker is forked: collect the loaded app's garbage once, then set every object left
    aside from the garbage collector (gc.freeze). A worker's full collections then walk only what it
    made itself, not the objects of the loaded app, and leave the pages it shares with the master
    unwritten (copy-on-write)."""
    if not gc.get_freeze_count():
        gc.collect()
    gc.freeze()

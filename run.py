"""Serve Spine Triage: gunicorn imports `run:app` (make serve); `python run.py` serves it for
development (HOST and PORT from the environment). Either way it first refuses to serve an
installation that is not prepared (see triage/ops/readiness.py)."""

import os

from triage import create_app
from triage.ops.readiness import refuse_to_serve_if_unprepared
from triage.ops.serving import PrivateRequestHandler, compile_templates
from triage.web.formatting import load_conventions

app = create_app()
refuse_to_serve_if_unprepared(app)
compile_templates(app)
load_conventions(app)  # dates and times in each language, before gunicorn forks

if __name__ == "__main__":
    app.run(
        host=os.environ.get("HOST", "127.0.0.1"),
        port=int(os.environ.get("PORT", "5000")),
        request_handler=PrivateRequestHandler,  # the app logs each request itself, without its path
    )

"""Serve Spine Triage: `python run.py` (HOST and PORT from the environment)."""

import os

from triage import create_app
from triage.serving import PrivateRequestHandler

app = create_app()

if __name__ == "__main__":
    app.run(
        host=os.environ.get("HOST", "127.0.0.1"),
        port=int(os.environ.get("PORT", "5000")),
        request_handler=PrivateRequestHandler,  # access-log lines name the endpoint, never the path
    )

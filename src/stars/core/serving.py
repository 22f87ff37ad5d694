"""The production web server: gunicorn running ``stars.core.wsgi``, as a child process.

``stars serve`` has already configured Django and migrated the database, which imports the
app and with it Polars; gunicorn forks its workers, and a process forked after Polars
started its threads hangs at exit. So gunicorn starts afresh as a child process
(configuration: ``stars.core.gunicorn_conf``), and each worker loads the app after the fork.
Static files are served by WhiteNoise inside the app, as under the development server.
"""

from __future__ import annotations

import subprocess
import sys


def gunicorn_command(*, host: str, port: int, workers: int, threads: int) -> list[str]:
    """``threads`` above 1: gunicorn's threaded worker (gthread), else its sync worker, each
    answering a request line or headers over gunicorn's limits in JSON
    (``stars.core.gunicorn_workers``)."""
    worker = "StarsThreadWorker" if threads > 1 else "StarsSyncWorker"
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "python:stars.core.gunicorn_conf",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        f"stars.core.gunicorn_workers.{worker}",
    ]


def run_gunicorn(*, host: str, port: int, workers: int, threads: int) -> int:
    """Serve until gunicorn stops; stopping this (SIGTERM turned into SystemExit, or Ctrl+C)
    stops gunicorn gracefully: it finishes the requests in hand."""
    server = subprocess.Popen(
        gunicorn_command(host=host, port=port, workers=workers, threads=threads)
    )
    try:
        return server.wait()
    finally:
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=45)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()

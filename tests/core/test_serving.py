"""Production serving: gunicorn under `stars serve`, `--dev`, /healthz, JSON logs, and the
example service files under deploy/ (their commands and options are real)."""

from __future__ import annotations

import datetime as dt
import http.client
import io
import json
import logging
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import types
from pathlib import Path
from unittest import mock

import click
import pytest
from django.db import DatabaseError
from django.urls import reverse
from gunicorn.config import Config
from gunicorn.glogging import Logger, SafeAtoms

from stars.cli import app
from stars.core import gunicorn_conf
from stars.core.logs import JsonFormatter, RefusalsWithoutTraceback
from stars.jobs.worker import beat

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def _exec_lines(unit: Path) -> list[list[str]]:
    return [
        shlex.split(line.split("=", 1)[1])
        for line in unit.read_text().splitlines()
        if line.startswith(("ExecStart=", "ExecStartPre="))
    ]


@pytest.mark.parametrize("unit", ["stars.service", "stars-worker.service"])
def test_each_example_service_runs_a_real_stars_command_with_options_that_parse(unit):
    commands = _exec_lines(DEPLOY / unit)
    assert commands, unit
    for argv in commands:
        assert argv[0].endswith("/.venv/bin/stars"), argv
        name, args = argv[1], argv[2:]
        command = app.commands[name]
        with click.Context(command) as ctx:  # raises on an unknown or malformed option
            params = command.parse_args(ctx, list(args))
        assert params == [], f"{unit}: arguments left over: {params}"
    text = (DEPLOY / unit).read_text()
    assert "EnvironmentFile=/etc/stars/stars.env" in text


def test_the_web_service_serves_without_a_worker_and_the_worker_service_runs_jobs():
    web = _exec_lines(DEPLOY / "stars.service")[-1]
    assert web[1] == "serve" and "--no-worker" in web and "--workers" in web
    assert _exec_lines(DEPLOY / "stars-worker.service")[-1][1] == "worker"


def test_the_example_environment_names_real_settings():
    settings_text = (ROOT / "src" / "stars" / "core" / "settings.py").read_text()
    names = [
        line.split("=", 1)[0]
        for line in (DEPLOY / "stars.env.example").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert "STARS_ENV" in names and "DATABASE_URL" in names
    read_elsewhere = {"DATABASE_URL"}  # read by dj-database-url
    assert [n for n in names if f'"{n}"' not in settings_text and n not in read_elsewhere] == []


def test_the_proxy_example_passes_the_client_address_and_scheme():
    conf = (DEPLOY / "nginx-stars.conf").read_text()
    assert "proxy_pass http://127.0.0.1:8000;" in conf
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in conf
    assert "X-Forwarded-Proto $scheme" in conf


@pytest.mark.django_db
def test_healthz_is_503_without_a_worker_and_200_with_one(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"]["ok"] is True
    assert body["jobs"]["ok"] is False
    beat("w1")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["jobs"]["workers"] == 1
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_says_when_the_database_does_not_answer(client):
    with mock.patch("stars.web.health.connection.cursor", side_effect=DatabaseError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == {
        "ok": False,
        "vendor": response.json()["database"]["vendor"],
        "error": "DatabaseError",
    }


@pytest.mark.django_db
def test_healthz_needs_no_sign_in_and_shows_no_record(client, users):
    beat("w1")
    body = client.get("/healthz").content.decode()
    assert set(json.loads(body)) == {"status", "database", "jobs"}
    for user in users.values():
        assert user.username not in body


def test_a_request_line_becomes_json_without_headers_or_query():
    atoms = {
        "m": "GET",
        "U": "/referrals/",
        "q": "search=Smith",
        "s": "200",
        "M": 12,
        "B": 3456,
        "h": "10.0.0.9",
        "{cookie}i": "sessionid=secret",
    }
    record = logging.LogRecord("gunicorn.access", logging.INFO, "", 0, "%(r)s", (atoms,), None)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["event"] == "request"
    assert (entry["method"], entry["path"], entry["status"]) == ("GET", "/referrals/", 200)
    assert (entry["duration_ms"], entry["bytes"], entry["client"]) == (12, 3456, "10.0.0.9")
    assert "secret" not in json.dumps(entry) and "Smith" not in json.dumps(entry)


def test_an_error_with_its_traceback_is_one_json_line():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord(
            "django.request", logging.ERROR, "", 0, "failed %s", ("/x",), sys.exc_info()
        )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert (entry["level"], entry["message"]) == ("error", "failed /x")
    assert "ValueError: boom" in entry["exception"]


# --- over real HTTP ------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, path: str) -> tuple[int, dict[str, str], str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path)
    r = conn.getresponse()
    body = r.read().decode("utf-8", "replace")
    conn.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, body


def _start(home: Path, *args: str, env_extra: dict[str, str] | None = None):
    drop = ("STARS_SECRET_KEY", "STARS_DEBUG", "STARS_ENV", "DATABASE_URL", "STARS_LOG_FORMAT")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(STARS_HOME=str(home), **(env_extra or {}))
    port = _free_port()
    out = (home / "out.log").open("w")
    err = (home / "err.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "stars.cli", "serve", "--port", str(port), *args],
        env=env,
        stdout=out,
        stderr=err,
    )
    return proc, port


def _wait_healthy(proc, port: int, home: Path, want: int = 200) -> dict:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            status, _, body = _get(port, "/healthz")
            if status == want:
                return json.loads(body)
        except OSError:
            pass
        assert proc.poll() is None, (home / "err.log").read_text()
        time.sleep(0.3)
    pytest.fail("not healthy: " + (home / "err.log").read_text()[-2000:])


def _stop(proc) -> None:
    proc.terminate()
    proc.wait(timeout=60)


def test_stars_serve_is_gunicorn_with_a_worker_and_json_logs_when_asked(tmp_path, migrated_home):
    proc, port = _start(
        migrated_home(tmp_path), "--workers", "2", env_extra={"STARS_LOG_FORMAT": "json"}
    )
    try:
        health = _wait_healthy(proc, port, tmp_path)
        assert health["jobs"]["workers"] >= 1 and health["database"]["vendor"] == "sqlite"
        status, headers, _ = _get(port, "/static/stars/stars.css")
        assert status == 200 and headers["content-type"].startswith("text/css")
        assert headers.get("server", "").startswith("gunicorn")
        status, _, _ = _get(port, "/sign-in/")
        assert status == 200
    finally:
        _stop(proc)
    requests = [
        json.loads(line)
        for line in (tmp_path / "out.log").read_text().splitlines()
        if line.startswith("{")
    ]
    paths = {r["path"]: r["status"] for r in requests if r.get("event") == "request"}
    assert paths.get("/sign-in/") == 200 and paths.get("/healthz") == 200
    booted = [
        json.loads(line)
        for line in (tmp_path / "err.log").read_text().splitlines()
        if line.startswith("{")
    ]
    assert any("Booting worker" in e.get("message", "") for e in booted)


def test_the_threaded_server_keeps_a_connection_open_through_a_user_s_pause(
    tmp_path, migrated_home
):
    """A user pauses seconds between pages; the connection their browser (or a proxy) keeps
    must still answer the next request: gunicorn's default keep-alive (2 s) closed it, and
    under load a request sent as it closed got no answer (benchmarks/README.md, load test)."""
    proc, port = _start(migrated_home(tmp_path), "--workers", "1", "--threads", "2", "--no-worker")
    try:
        _wait_healthy(proc, port, tmp_path, want=503)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/sign-in/")
        first = conn.getresponse()
        first.read()
        assert first.status == 200 and first.getheader("connection", "").lower() != "close"
        time.sleep(3.5)
        conn.request("GET", "/sign-in/")  # the same socket: http.client does not reconnect
        again = conn.getresponse()
        again.read()
        assert again.status == 200
        conn.close()
    finally:
        _stop(proc)


@pytest.mark.parametrize("threads", ["1", "2"])
def test_a_request_line_or_headers_over_gunicorn_s_limits_are_answered_in_json(
    tmp_path, migrated_home, threads
):
    """gunicorn refuses them before the app sees them; its own answer was an HTML page."""
    proc, port = _start(
        migrated_home(tmp_path), "--workers", "1", "--threads", threads, "--no-worker"
    )
    try:
        _wait_healthy(proc, port, tmp_path, want=503)
        for path, headers, status in [
            ("/api/enquiries?q=" + "x" * 5000, {}, 414),
            ("/api/enquiries", {"X-Big": "y" * 9000}, 431),
            ("/api/enquiries", {f"X-H{i}": "z" for i in range(101)}, 431),
        ]:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", path, headers=headers)
            r = conn.getresponse()
            body = r.read()
            conn.close()
            assert r.status == status, (r.status, body[:200])
            assert r.getheader("Content-Type") == "application/json", body[:200]
            assert set(json.loads(body)) == {"detail"}, body
            assert "limit" in json.loads(body)["detail"] or "bytes" in json.loads(body)["detail"]
        assert _get(port, "/healthz")[0] == 503  # still serving
    finally:
        _stop(proc)


def test_stars_serve_dev_is_the_reloading_development_server(tmp_path, migrated_home):
    proc, port = _start(migrated_home(tmp_path), "--dev", "--no-worker")
    try:
        health = _wait_healthy(proc, port, tmp_path, want=503)
        assert health["jobs"]["ok"] is False  # --no-worker: nothing runs the jobs
        _, headers, _ = _get(port, "/sign-in/")
        assert "gunicorn" not in headers.get("server", "")
        assert "WSGIServer" in headers.get("server", "")
    finally:
        _stop(proc)


def test_each_gunicorn_worker_imports_every_page_before_its_first_request(monkeypatch):
    """No user's first page waits for the views' imports (benchmarks/README.md): the hook
    loads the URLconf, which imports every view."""
    from stars.core import gunicorn_conf

    loaded = []

    class Resolver:
        @property
        def url_patterns(self):
            loaded.append(True)
            return []

    monkeypatch.setattr(gunicorn_conf, "get_resolver", Resolver)
    gunicorn_conf.post_worker_init(object())
    assert loaded == [True]


def test_a_refused_request_is_one_line_without_its_traceback(client, users):
    # a 403 is a user's wrong turn: the log keeps the line, not Django's traceback
    # the configured console handler (settings.LOGGING), its stream swapped for the test
    handler = next(h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler))
    stream = io.StringIO()
    before = handler.setStream(stream)
    try:
        client.force_login(users["key_worker"])
        refused = client.get(reverse("finance_money"))
    finally:
        handler.setStream(before)
    assert refused.status_code == 403
    logged = stream.getvalue()
    assert "Forbidden" in logged and reverse("finance_money") in logged
    assert "Traceback" not in logged and "PermissionDenied" not in logged


def test_a_server_error_keeps_its_traceback():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord(
            "django.request", logging.ERROR, "", 0, "failed %s", ("/x",), sys.exc_info()
        )
    record.status_code = 500
    assert RefusalsWithoutTraceback().filter(record) and record.exc_info is not None


def _gunicorn_config() -> Config:
    """gunicorn's configuration as `stars serve` gives it (``stars.core.gunicorn_conf``)."""
    cfg = Config()
    for name, value in vars(gunicorn_conf).items():
        if name in cfg.settings:
            cfg.set(name, value)
    return cfg


def test_a_plain_text_request_line_holds_no_query_referer_or_agent():
    """In text logs (the development default, or STARS_LOG_FORMAT=text) a request line is
    gunicorn's own, made by ``access_log_format``: a search typed into the box (a child's
    name) must not reach it through the query string or the referring page's address."""
    cfg = _gunicorn_config()
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/search/?q=Zebedee+Quixote",
        "PATH_INFO": "/search/",
        "QUERY_STRING": "q=Zebedee+Quixote",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.9",
        "HTTP_REFERER": "http://127.0.0.1:8000/referrals/?q=Zebedee",
        "HTTP_USER_AGENT": "Mozilla/5.0 (Zebedee's laptop)",
    }
    req = types.SimpleNamespace(headers=[("COOKIE", "sessionid=secret")])
    resp = types.SimpleNamespace(status="200 OK", sent=3456, headers=[])
    logger = Logger.__new__(Logger)
    logger.cfg = cfg
    atoms = logger.atoms(resp, req, environ, dt.timedelta(milliseconds=12))
    line = cfg.access_log_format % SafeAtoms(atoms)
    assert "/search/" in line and "200" in line and "10.0.0.9" in line
    assert "Zebedee" not in line and "secret" not in line


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_behind_a_proxy_a_request_line_names_the_forwarded_client(settings, fmt):
    """The request log names the client the sign-in lockout counts failures against: behind
    a proxy, the address it forwarded, not the proxy's own (every request's 127.0.0.1)."""
    settings.STARS_PROXY_HEADER = "X-Forwarded-For"
    settings.STARS_PROXY_COUNT = 1
    cfg = _gunicorn_config()
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/",
        "PATH_INFO": "/",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_X_FORWARDED_FOR": "198.51.100.1, 203.0.113.7",
    }
    req = types.SimpleNamespace(headers=[])
    resp = types.SimpleNamespace(status="200 OK", sent=10, headers=[])
    logger = cfg.logger_class.__new__(cfg.logger_class)
    logger.cfg = cfg
    atoms = logger.atoms(resp, req, environ, dt.timedelta(milliseconds=3))
    if fmt == "text":
        line = cfg.access_log_format % SafeAtoms(atoms)
    else:
        record = logging.LogRecord("gunicorn.access", logging.INFO, "", 0, "%s", (atoms,), None)
        line = JsonFormatter().format(record)
        assert json.loads(line)["client"] == "203.0.113.7"
    assert "203.0.113.7" in line and "127.0.0.1" not in line and "198.51.100.1" not in line


def test_the_proxy_example_logs_requests_without_their_query_or_referer():
    """nginx's own default (``combined``) logs the request line with its query string and the
    referring page: a name typed into search would be in the proxy's log. Every server of
    the example logs with a format of its own that holds neither."""
    conf = (DEPLOY / "nginx-stars.conf").read_text()
    formats = dict(re.findall(r"log_format\s+(\w+)\s+([^;]*);", conf))
    servers = conf.split("server {")[1:]
    assert servers and formats
    for server in servers:
        used = re.findall(r"access_log\s+\S+\s+(\w+)\s*;", server)
        assert used, "a server logs with nginx's default format"
        for name in used:
            assert "$uri" in formats[name]
            for leaks in (
                "$request ",
                '$request"',
                "$request_uri",
                "$args",
                "$query_string",
                "$arg_",
                "$http_referer",
                "$http_cookie",
                "$http_user_agent",
            ):
                assert leaks not in formats[name], (name, leaks)


# --- the proxy's own refusals ---------------------------------------------------------------

NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)


def _nginx_answers(conf: str) -> dict[str, tuple[int, dict]]:
    """Each internal location of the proxy's refusals: the status and JSON it answers."""
    answers = re.findall(
        r"location = /\.nginx-refused/(\d+) \{.*?return (\d+) '(.*?)\\n';", conf, re.S
    )
    return {
        code: (int(status), json.loads(body.replace("\\'", "'"))) for code, status, body in answers
    }


def test_the_proxy_answers_its_own_refusals_under_api_as_json_problems():
    conf = (DEPLOY / "nginx-stars.conf").read_text()
    server = conf.split("server {")[1]
    for code in ("413", "414", "494"):
        assert re.search(rf"error_page {code} =? ?/\.nginx-refused/{code};", server), code
    answers = _nginx_answers(server)
    assert {code: status for code, (status, _) in answers.items()} == {
        "413": 413,
        "414": 414,
        "494": 431,  # as gunicorn answers headers over its limits
    }
    for _, body in answers.values():
        assert set(body) == {"detail"} and isinstance(body["detail"], str), body
    limit = re.search(r"client_max_body_size (\d+)m;", server).group(1)
    assert str(int(limit) * 1024 * 1024) in answers["413"][1]["detail"]


def _nginx_conf(tmp_path: Path, port: int, upstream: int) -> Path:
    """The example's servers on plain HTTP at ``port`` in front of ``upstream``, with its
    own files under ``tmp_path``: everything else as written."""
    conf = (DEPLOY / "nginx-stars.conf").read_text()
    conf = conf.replace("listen 443 ssl;", f"listen 127.0.0.1:{port};")
    conf = conf.replace("listen 80;", f"listen 127.0.0.1:{_free_port()};")
    conf = re.sub(r"\n\s*(http2 on|ssl_certificate\S*\s[^;]+);", "", conf)
    conf = conf.replace("/var/log/nginx/", f"{tmp_path}/")
    conf = conf.replace("http://127.0.0.1:8000", f"http://127.0.0.1:{upstream}")
    temp = " ".join(
        f"{kind}_temp_path {tmp_path}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    path = tmp_path / "nginx.conf"
    path.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n{temp}\n{conf}\n}}\n"
    )
    return path


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed (Debian: apt-get install nginx)")
def test_nginx_with_the_example_answers_json_under_api_and_its_own_pages_elsewhere(
    tmp_path, migrated_home
):
    stars, upstream = _start(migrated_home(tmp_path), "--workers", "1", "--no-worker")
    port = _free_port()
    conf = _nginx_conf(tmp_path, port, upstream)
    checked = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
    proxy = subprocess.Popen(
        [NGINX, "-p", str(tmp_path), "-c", str(conf), "-g", "daemon off; master_process off;"],
        stderr=subprocess.PIPE,
    )
    try:
        _wait_healthy(stars, upstream, tmp_path, want=503)
        _wait_healthy(proxy, port, tmp_path, want=503)  # through the proxy

        def answer(method, path, headers=None, body=None):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            data = r.read()
            conn.close()
            return r.status, r.getheader("Content-Type", ""), data

        big_body = {"Content-Length": str(61 * 1024 * 1024), "Content-Type": "application/json"}
        cases = [
            ("GET", "?q=" + "x" * 9000, {}, None, 414, 414),
            ("GET", "", {"X-Big": "y" * 9000}, None, 431, 400),
            ("POST", "", big_body, b"{", 413, 413),
        ]
        for method, tail, headers, body, api_status, page_status in cases:
            status, kind, data = answer(method, "/api/enquiries" + tail, headers, body)
            assert (status, kind) == (api_status, "application/json"), (status, data[:200])
            assert set(json.loads(data)) == {"detail"}, data
            status, kind, data = answer(method, "/sign-in/" + tail, headers, body)
            assert (status, kind) == (page_status, "text/html"), (status, data[:200])
            assert b"nginx" in data  # nginx's own page, as before
        # what passes reaches STARS, whose answers are its own
        status, kind, data = answer("GET", "/api/nothing")
        assert (status, kind) == (404, "application/json") and b"openapi" in data, data
    finally:
        proxy.terminate()
        proxy.wait(timeout=30)
        _stop(stars)

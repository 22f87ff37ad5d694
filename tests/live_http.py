"""A tiny HTTP client for tests against a live server (``live_server``): it keeps cookies
as a browser or a council's script does and signs in through the sign-in page with its CSRF
token, so what Django's test client skips (CSRF, cookies, the real request cycle) is met."""

from __future__ import annotations

import http.client
import json
import re
import uuid
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

from tests.conftest import PASSWORD


class Http:
    """A tiny HTTP client keeping cookies, like a browser or a council's script."""

    def __init__(self, live_server) -> None:
        url = urlsplit(live_server.url)
        self.host, self.port = url.hostname, url.port
        self.cookies: dict[str, str] = {}

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if isinstance(body, dict | list):
            body = json.dumps(body)
            headers.setdefault("Content-Type", "application/json")
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        for raw in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(raw).items():
                self.cookies[name] = morsel.value
        conn.close()
        return response.status, response.headers, data

    def json(self, method, path, body=None, headers=None):
        status, head, data = self.request(method, path, body, headers)
        assert head["Content-Type"].startswith("application/json"), (status, data[:200])
        return status, json.loads(data)

    def form_token(self, path: str) -> str:
        """The CSRF token of the form on the page at ``path``, as a browser sends it back."""
        status, _, page = self.request("GET", path)
        assert status == 200, (path, status)
        return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()

    def sign_in(self, username: str) -> None:
        self.request("GET", "/sign-in/")
        form = {
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": self.cookies["csrftoken"],
        }
        status, head, _ = self.request(
            "POST",
            "/sign-in/",
            urlencode(form),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert status == 302 and "sessionid" in self.cookies, status


def signed_in(live_server, username: str) -> Http:
    """A client of ``live_server`` signed in as ``username``."""
    client = Http(live_server)
    client.sign_in(username)
    return client


def tables(page: bytes) -> list[bytes]:
    """Every table of a page, as its bytes."""
    return re.findall(rb"<table.*?</table>", page, re.S)


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]):
    """A form's ``fields`` and ``files`` (name: (file name, bytes)) as a browser posts them:
    the body and its Content-Type header."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    for name, (filename, data) in files.items():
        parts.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'
            ).encode()
            + data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def typed_date(page: bytes | str, name: str) -> tuple[str, str, str]:
    """What a date field's Day, Month and Year boxes hold on a page (``name``: the field's)."""
    text = page.decode() if isinstance(page, bytes) else page
    return tuple(  # type: ignore[return-value]
        re.search(rf'name="{name}-{part}"[^>]*value="([^"]*)"', text).group(1)
        for part in ("day", "month", "year")
    )

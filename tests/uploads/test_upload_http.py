"""An upload over real HTTP (a live server): signed in, the form's CSRF token sent back
with the multipart files, as a browser does; without the token it is refused."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest

from stars.jobs.worker import run_worker
from stars.referrals.models import Referral
from stars.uploads.models import Upload
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


class Browserish:
    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def request(self, path: str, data: bytes | None = None, headers: dict | None = None):
        req = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        try:
            with self.opener.open(req, timeout=60) as r:
                return r.status, dict(r.headers), r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read().decode()

    def token(self, path: str) -> str:
        status, _, body = self.request(path)
        assert status == 200, (path, status)
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)

    def sign_in(self, username: str) -> None:
        token = self.token("/sign-in/")
        form = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD}
        ).encode()
        status, headers, _ = self.request("/sign-in/", form, {"Referer": self.base + "/sign-in/"})
        assert status == 302, status


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]):
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


def test_a_tracker_uploaded_over_http_with_its_csrf_token_is_imported(
    live_server, users, tracker_files
):
    web = Browserish(live_server.url)
    web.sign_in("provider_manager")
    files = {f: (p.name, p.read_bytes()) for f, p in tracker_files.items()}

    body, headers = _multipart({}, files)
    headers["Referer"] = live_server.url + "/uploads/tracker/"
    status, _, _ = web.request("/uploads/tracker/", body, headers)
    assert status == 403  # no CSRF token: refused, nothing stored
    assert Upload.objects.count() == 0

    token = web.token("/uploads/tracker/")
    body, headers = _multipart({"csrfmiddlewaretoken": token}, files)
    headers["Referer"] = live_server.url + "/uploads/tracker/"
    status, answer, _ = web.request("/uploads/tracker/", body, headers)
    assert status == 302
    detail = answer["Location"]
    upload = Upload.objects.get()
    assert detail == f"/uploads/tracker/{upload.pk}/"

    status, kind, progress = web.request(detail + "?format=json")
    assert status == 200 and '"finished": false' in progress

    run_worker(batch=True, interval=0, verbosity=0)

    status, _, progress = web.request(detail + "?format=json")
    assert '"finished": true' in progress and '"percent": 100' in progress
    status, _, page = web.request(detail)
    assert status == 200 and "The tracker was imported." in page
    assert Referral.objects.count() == 12

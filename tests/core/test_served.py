"""The app as `make demo` serves it: `stars serve` (gunicorn), over real HTTP.

One server for the module, started the way a newcomer starts it (no STARS_DEBUG, SQLite in a
fresh STARS_HOME, its empty database already migrated), so these tests see the settings a
demo really runs with.
"""

from __future__ import annotations

import base64
import http.client
import json
import threading
from types import SimpleNamespace

import pytest

from tests.conftest import stars_command, stars_served
from tests.live_http import Http

USER, PASSWORD = "manager", "a-long-test-password-1"
READER = "reader"


# what the server must not inherit from the test run: a newcomer's settings are the defaults
DROP = ("STARS_SECRET_KEY", "STARS_DEBUG", "STARS_ENV", "DATABASE_URL")


@pytest.fixture(scope="module")
def served(tmp_path_factory, migrated_home):
    home = migrated_home(tmp_path_factory.mktemp("served"))
    stars_command(
        *("createuser", USER, "--role", "provider_manager", "--password-stdin"),
        home=home,
        drop=DROP,
        stdin=PASSWORD,
        check=True,
        timeout=120,
    )
    stars_command(  # a user the lockout tests below leave signed-in-able
        *("createuser", READER, "--role", "provider_manager", "--password-stdin"),
        home=home,
        drop=DROP,
        stdin=PASSWORD,
        check=True,
        timeout=120,
    )
    with stars_served(home, drop=DROP) as port:
        yield port


def fetch(port: int, path: str, headers: dict[str, str] | None = None):
    """GET with the path sent exactly as given (no client-side normalising)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    body = response.read().decode("utf-8", "replace")
    conn.close()
    return response.status, response.getheader("Content-Type", ""), body


def test_a_missing_page_is_the_govuk_page_without_debug_output(served):
    status, kind, body = fetch(served, "/no-such-page/")
    assert status == 404
    assert kind.startswith("text/html")
    assert "govuk-template" in body and "Page not found" in body
    assert "URLconf" not in body and "Django tried these URL patterns" not in body


def test_static_files_and_govuk_assets_are_served_without_debug(served):
    for path, kind in (
        ("/static/govuk/govuk-frontend.min.css", "text/css"),
        ("/static/stars/stars.css", "text/css"),
        ("/assets/images/favicon.ico", "image/"),
    ):
        status, content_type, _ = fetch(served, path)
        assert (status, content_type.startswith(kind)) == (200, True), path


@pytest.mark.parametrize("path", ["/static/../x", "/static/..%2fx", "/static/%2e%2e/settings.py"])
def test_static_path_traversal_is_not_found(served, path):
    status, _, body = fetch(served, path)
    assert status == 404, body[:300]
    assert "Traceback" not in body


def test_concurrent_bad_basic_sign_ins_are_refused_never_a_server_error(served):
    """SQLite: failed sign-ins at the same moment each update the lockout record."""
    answers: list[tuple[int, str, str]] = []
    bad = {"Authorization": "Basic " + base64.b64encode(f"{USER}:wrong".encode()).decode()}

    def sign_in() -> None:
        answers.append(fetch(served, "/api/referrals", bad))

    for _ in range(4):
        threads = [threading.Thread(target=sign_in) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sorted({status for status, _, _ in answers}) == [401, 429], answers
    locked = [(kind, body) for status, kind, body in answers if status == 429]
    assert all(kind == "application/json" for kind, _ in locked)
    assert all("locked" in json.loads(body)["detail"] for _, body in locked)


# --- a new service, no contract loaded yet (docs/decisions/0016-no-contract-answers-409.md)

NO_CONTRACT = "No contract is loaded yet"


def _signed_in(port: int) -> Http:
    client = Http(SimpleNamespace(url=f"http://127.0.0.1:{port}"))
    client.sign_in(READER)
    return client


def test_without_a_contract_a_page_answers_409_with_the_warning_and_home_200(served):
    client = _signed_in(served)
    status, head, body = client.request("GET", "/referrals/")
    assert status == 409, body[:300]
    assert head["Content-Type"].startswith("text/html")
    assert NO_CONTRACT in body.decode() and "govuk-template" in body.decode()
    status, _, body = client.request("GET", "/")
    assert status == 200 and NO_CONTRACT in body.decode()


def test_without_a_contract_the_api_answers_the_409_its_document_declares(served):
    client = _signed_in(served)
    status, problem = client.json("GET", "/api/enquiries")
    assert status == 409 and problem["detail"].startswith(NO_CONTRACT), problem
    status, document = client.json("GET", "/api/openapi.json")
    assert status == 200
    operations = [
        (method, path, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]
    assert operations
    for method, path, operation in operations:
        conflict = operation["responses"].get("409")
        assert conflict is not None, (method, path)
        assert "no contract is loaded yet" in conflict["description"], (method, path)
        schema = conflict["content"]["application/json"]["schema"]["$ref"]
        assert schema.rsplit("/", 1)[-1] in ("Problem", "ChildrenAlike"), (method, path)
    problem_fields = document["components"]["schemas"]["Problem"]["properties"]
    assert set(problem) <= set(problem_fields)

"""The demo served on a port of its own, for the screenshot script and the home-page timing
benchmark: ``demo_server(home)`` loads the demo programme into ``home`` (unless it already
holds it) and serves it with `stars serve` (gunicorn) for as long as the block runs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STARS = ROOT / ".venv" / "bin" / "stars"
PASSWORD = "stars-demo-password"  # stars.demo.programme.DEMO_PASSWORD
# one demo user per role (README "Two commands")
ROLES = ("spoc", "manager", "commissioner", "keyworker", "investor", "evaluator", "admin")


def demo_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["STARS_HOME"] = str(home)
    return env


@contextmanager
def demo_server(home: Path, port: int, *, reload: bool = False) -> Iterator[str]:
    """The base URL of the demo served from ``home`` (SQLite), loaded first when ``home``
    holds no database yet or ``reload``."""
    home.mkdir(parents=True, exist_ok=True)
    env = demo_env(home)
    if reload or not any(home.glob("*.sqlite3")):
        print(f"loading the demo into {home} (a few minutes)", file=sys.stderr)
        subprocess.run([str(STARS), "demo"], env=env, check=True, stdout=subprocess.DEVNULL)
    server = subprocess.Popen(
        [str(STARS), "serve", "--port", str(port), "--no-worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/sign-in/", timeout=30).close()
                break
            except OSError:  # not listening yet, or still starting
                time.sleep(1)
        else:
            raise RuntimeError(f"the demo server did not answer at {url}")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=60)


def signed_in(url: str, username: str) -> urllib.request.OpenerDirector:
    """An HTTP client signed in as the demo user ``username`` (its session cookie kept)."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    form = opener.open(f"{url}/sign-in/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    if token is None:
        raise RuntimeError("the sign-in page has no CSRF token")
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token[1], "username": username, "password": PASSWORD}
    ).encode()
    request = urllib.request.Request(f"{url}/sign-in/", data=body, headers={"Referer": url})
    landed = opener.open(request)
    if landed.url.rstrip("/").endswith("sign-in"):
        raise RuntimeError(f"{username} could not sign in")
    return opener

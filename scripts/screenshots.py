"""Screenshots of each role's home page on the demo, at desktop width, into docs/screenshots/.

    .venv/bin/python scripts/screenshots.py [--home DIR] [--reload] [--out docs/screenshots]

It loads the demo into DIR (default: a new temporary directory; an existing demo there is
reused unless --reload), serves it with `stars serve`, signs in as each role's demo user in
Debian's chromium and saves home-ROLE.png (1280 px wide, the top 1,400 px of the page).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from demo_server import PASSWORD, ROLES, ROOT, demo_server  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
WIDTH, HEIGHT = 1280, 1400


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=None)
    parser.add_argument("--reload", action="store_true")
    parser.add_argument("--port", type=int, default=8391)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="stars-shots-"))
    args.out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with demo_server(home, args.port, reload=args.reload) as url, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        for role in ROLES:
            context = browser.new_context(base_url=url, viewport={"width": WIDTH, "height": HEIGHT})
            page = context.new_page()
            page.goto("/sign-in/")
            page.fill("#id_username", role)
            page.fill("#id_password", PASSWORD)
            page.click("button:has-text('Sign in')")
            page.wait_for_selector("[data-testid=userbar]")
            page.goto("/")
            path = args.out / f"home-{role}.png"
            page.screenshot(path=str(path))
            print(f"{path} ({path.stat().st_size // 1024} KB)")
            context.close()
        browser.close()


if __name__ == "__main__":
    main()

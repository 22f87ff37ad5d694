"""Every page a demo user can reach by following links answers without a server error or a
broken link, in each programme they work in, and Derby's users never see another
council's child: a crawl of the demo (both programmes, a small programme of referrals) as
one user of each kind, breadth first, one page of each address pattern per user (another
id or query value of a pattern already opened is skipped), each download once."""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

from django.test import Client

from stars.partnership.models import User
from stars.referrals.models import Child

# one user of each kind, and a council of the other programme
CRAWLED = ("spoc", "commissioner", "manager", "keyworker", "investor", "evaluator", "admin")
CRAWLED += ("spoc-birmingham", "commissioner-birmingham")
NOT_FOLLOWED = ("/sign-out/", "/static/", "/admin/")
DOWNLOAD = re.compile(r"[?&]format=")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.programmes: list[str] = []
        self._switcher = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"] or "")
        elif tag == "select":
            self._switcher = a.get("id") == "programme-switch"
        elif tag == "option" and self._switcher:
            self.programmes.append(a.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._switcher = False


def _pattern(url: str) -> str:
    """The address with every id (a part holding a digit) and query value made general."""
    parts = urlsplit(url)
    path = "/".join("#" if re.search(r"\d", p) else p for p in parts.path.split("/"))
    return path + "?" + "&".join(sorted(k for k, _ in parse_qsl(parts.query)))


def _others_children(council: str) -> re.Pattern[str]:
    """Another council's children's references and referral and enquiry ids, as words."""
    words: set[str] = set()
    for child in Child.objects.exclude(council__code=council).prefetch_related(
        "referrals", "enquiries"
    ):
        words.add(child.child_ref)
        words |= {r.referral_id for r in child.referrals.all()}
        words |= {e.enquiry_id for e in child.enquiries.all()}
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])({alternatives})(?![\w-])")


def _crawl(
    client: Client, programme: str, downloads: set[str], forbidden: re.Pattern[str] | None
) -> tuple[int, list]:
    """Pages opened and problems found, following links from the home page."""
    problems = []
    start = f"/?programme={programme}" if programme else "/"
    queue, seen, patterns, opened = deque([(start, "")]), {start}, set(), 0
    while queue:
        url, came_from = queue.popleft()
        response = client.get(url)
        opened += 1
        if response.status_code >= 500 or response.status_code == 404:
            error = repr(response.exc_info[1]) if response.exc_info else ""
            problems.append((response.status_code, url, came_from, error))
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        page = response.content.decode()
        if forbidden is not None and (leaked := set(forbidden.findall(page))):
            problems.append(("another council's child", url, came_from, sorted(leaked)[:5]))
        links = _Links()
        links.feed(page)
        for href in links.hrefs:
            target = urlsplit(urljoin(url, href))
            if target.scheme not in ("", "http") or target.netloc not in ("", "testserver"):
                continue
            path = target.path + (f"?{target.query}" if target.query else "")
            asked = dict(parse_qsl(target.query)).get("programme", programme)
            if path.startswith(NOT_FOLLOWED) or path in seen or asked != programme:
                continue
            seen.add(path)
            pattern = _pattern(path)
            if pattern in patterns or (DOWNLOAD.search(path) and pattern in downloads):
                continue
            patterns.add(pattern)
            if DOWNLOAD.search(path):
                downloads.add(pattern)
            queue.append((path, url))
    return opened, problems


def test_every_linked_page_answers_every_kind_of_user_without_an_error(both_programmes):
    downloads: set[str] = set()
    opened, problems = {}, []
    for username in CRAWLED:
        user = User.objects.get(username=username)
        forbidden = _others_children(user.council.code) if user.council else None
        client = Client(raise_request_exception=False)
        client.force_login(user)
        links = _Links()
        links.feed(client.get("/").content.decode())
        for programme in links.programmes or [""]:
            pages, found = _crawl(client, programme, downloads, forbidden)
            opened[username, programme] = pages
            problems += [(username, programme, *p) for p in found]
    assert not problems, problems
    assert all(n > 5 for n in opened.values()), opened  # the crawl got past the home page
    assert len(opened) == len(CRAWLED) + 4  # four users work in both programmes

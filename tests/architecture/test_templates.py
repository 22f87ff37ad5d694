"""Checks over every template: each table scrolls inside its own labelled box."""

from __future__ import annotations

import re
from pathlib import Path

from django.template import Context, Template

SRC = Path(__file__).resolve().parents[2] / "src" / "stars"
TEMPLATES = [p for p in SRC.glob("*/templates/**/*.html")]


def test_every_table_in_every_template_is_wrapped_to_scroll_on_its_own():
    """A wide table on a phone scrolls inside ``{% scrollable %}``; the page never does."""
    assert len(TEMPLATES) > 30
    bare = []
    for path in TEMPLATES:
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"<table\b", text):
            before = text[: m.start()].rstrip()
            after = text[text.index("</table>", m.start()) + len("</table>") :].lstrip()
            if not (
                re.search(r"\{% scrollable [^%]+%\}$", before)
                and after.startswith("{% endscrollable %}")
            ):
                bare.append(f"{path.relative_to(SRC)}:{text.count(chr(10), 0, m.start()) + 1}")
    assert bare == []


def test_the_wrapper_is_a_labelled_region_reachable_by_keyboard():
    html = Template(
        "{% load stars_format %}{% scrollable label %}<table></table>{% endscrollable %}"
    ).render(Context({"label": "Claims <2024>"}))
    assert html == (
        '<div class="stars-table-wrap" role="region" aria-label="Table: Claims &lt;2024&gt;" '
        'tabindex="0"><table></table></div>'
    )

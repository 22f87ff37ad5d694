"""The outcome charts: worse is red and improved green, in every chart, whatever is shown."""

from __future__ import annotations

import re

from stars.cases.outcomes import Table, add_charts

RED, GREEN = "#d4351c", "#00703c"
HEADERS = ["Area", "Cases", "Improved", "Same", "Worse", "Mean first", "Mean latest"]
KINDS = ["text", "count", "share", "share", "share", "mean", "mean"]


def _fills(svg: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for label, fill in re.findall(r'aria-label="[^"]*change: (\w+)"[^>]*fill="(#[0-9a-f]+)"', svg):
        out.setdefault(label, set()).add(fill)
    return out


def test_worse_is_red_and_improved_green_in_every_area_chart():
    tables = [
        Table("areas_young", "Young person", HEADERS, [["Home", 9, 0.5, 0.2, 0.3, 2, 3]], KINDS),
        # "same" suppressed: the colours must not shift
        Table("areas_family", "Family", HEADERS, [["Work", 9, 0.6, "c", 0.4, 2, 3]], KINDS),
    ]
    for t in add_charts(tables):
        fills = _fills(t.chart)
        assert fills["worse"] == {RED}, t.key
        assert fills["improved"] == {GREEN}, t.key
        assert "same" not in fills or fills["same"] not in ({RED}, {GREEN})

"""Charts are drawn from Vega-Lite definitions without Altair in the process."""

from __future__ import annotations

import subprocess
import sys

from stars.core import charts

ROWS = [
    {"at": "2024", "children": 10, "line": "Expected", "low": 8, "high": 12},
    {"at": "2025", "children": 12.5, "line": "Expected", "low": 9, "high": 15},
]


def test_each_kind_of_chart_is_an_svg_with_its_title_and_axes() -> None:
    drawn = [
        charts.line(ROWS, x="at", y="children", color="line", title="Children", y_title="N"),
        charts.bar(ROWS, x="at", y="children", title="Children", y_title="N", horizontal=True),
        charts.fan(ROWS, x="at", median="children", bands=[("low", "high")], title="Children"),
    ]
    for svg in drawn:
        assert svg.startswith("<svg") and "Children" in svg and "2025" in svg


def test_drawing_a_chart_does_not_load_altair() -> None:
    # Altair took about 36 MiB of every page's process
    code = (
        "import sys; from stars.core import charts; "
        "charts.line([{'a': '1', 'b': 2}], x='a', y='b'); print('altair' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"

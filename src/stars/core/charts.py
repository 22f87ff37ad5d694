"""Charts: one Altair (Vega-Lite) definition rendered to SVG offline, for pages and PDFs.

A chart is always shown with its data table beside it (the template's job), so the
figures can be read without the picture.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt
import vl_convert as vlc

PALETTE = ["#1d70b8", "#f47738", "#00703c", "#912b88", "#d4351c", "#505a5f", "#28a197"]
# a case's status has one colour in every chart (GOV.UK colours): graduated green, closed early
# red, live blue, guaranteed-funding period complete grey
STATUS_COLOURS = {
    "graduated": "#00703c",
    "closed_early": "#d4351c",
    "live": "#1d70b8",
    "gf_complete": "#505a5f",
}


def _color(field: str, colors: Mapping[str, str] | None) -> alt.Color:
    """Colours by ``field``: ``colors`` fixes each value's colour (a value means the same
    colour in every chart, present or not); otherwise the palette in sorted order."""
    if colors:
        scale = alt.Scale(domain=list(colors), range=list(colors.values()))
    else:
        scale = alt.Scale(range=PALETTE)
    return alt.Color(f"{field}:N", scale=scale, title=field)


def svg(chart: alt.TopLevelMixin) -> str:
    """Render a chart to an SVG string (no browser needed)."""
    return vlc.vegalite_to_svg(chart.to_json(validate=False))


def bar(
    rows: Sequence[Mapping[str, Any]],
    *,
    x: str,
    y: str,
    color: str | None = None,
    colors: Mapping[str, str] | None = None,
    title: str = "",
    x_title: str | None = None,
    y_title: str | None = None,
    horizontal: bool = False,
    stack: bool = True,
    width: int = 560,
    height: int = 260,
) -> str:
    """A bar chart of ``rows`` (dicts) as SVG; grouped by ``color`` when given (in the
    ``colors`` given for its values, if any)."""
    data = alt.Data(values=[dict(r) for r in rows])
    x_enc = alt.X(f"{x}:N", title=x_title if x_title is not None else x, sort=None)
    y_enc = alt.Y(
        f"{y}:Q", title=y_title if y_title is not None else y, stack="zero" if stack else None
    )
    if horizontal:
        x_enc, y_enc = (
            alt.X(
                f"{y}:Q",
                title=y_title if y_title is not None else y,
                stack="zero" if stack else None,
            ),
            alt.Y(f"{x}:N", title=x_title if x_title is not None else x, sort=None),
        )
    enc: dict[str, Any] = {"x": x_enc, "y": y_enc}
    if color:
        enc["color"] = _color(color, colors)
        if not stack and not horizontal:
            enc["xOffset"] = alt.XOffset(f"{color}:N")
        elif not stack:
            enc["yOffset"] = alt.YOffset(f"{color}:N")
    chart = (
        alt.Chart(data, title=title).mark_bar().encode(**enc).properties(width=width, height=height)
    )
    return svg(chart.configure_view(stroke=None).configure(font="Arial"))


def line(
    rows: Sequence[Mapping[str, Any]],
    *,
    x: str,
    y: str,
    color: str | None = None,
    colors: Mapping[str, str] | None = None,
    title: str = "",
    x_title: str | None = None,
    y_title: str | None = None,
    temporal: bool = False,
    width: int = 560,
    height: int = 260,
) -> str:
    """A line chart (with points) of ``rows`` as SVG."""
    data = alt.Data(values=[dict(r) for r in rows])
    enc: dict[str, Any] = {
        "x": alt.X(f"{x}:{'T' if temporal else 'O'}", title=x_title if x_title is not None else x),
        "y": alt.Y(f"{y}:Q", title=y_title if y_title is not None else y),
    }
    if color:
        enc["color"] = _color(color, colors)
    chart = (
        alt.Chart(data, title=title)
        .mark_line(point=True)
        .encode(**enc)
        .properties(width=width, height=height)
    )
    return svg(chart.configure_view(stroke=None).configure(font="Arial"))


def fan(
    rows: Sequence[Mapping[str, Any]],
    *,
    x: str,
    median: str,
    bands: Sequence[tuple[str, str]],
    title: str = "",
    x_title: str | None = None,
    y_title: str | None = None,
    width: int = 560,
    height: int = 260,
) -> str:
    """A fan chart as SVG: shaded bands (outermost first, lighter) and the median line.

    ``bands`` names the low and high fields of each band, widest first (e.g. the 95% band,
    then the 80% band).
    """
    data = alt.Data(values=[dict(r) for r in rows])
    x_enc = alt.X(f"{x}:O", title=x_title if x_title is not None else x)
    layers: list[Any] = []
    for i, (low, high) in enumerate(bands):
        layers.append(
            alt.Chart(data)
            .mark_area(color=PALETTE[0], opacity=0.18 + 0.2 * i)
            .encode(x=x_enc, y=alt.Y(f"{low}:Q", title=y_title or ""), y2=alt.Y2(f"{high}:Q"))
        )
    layers.append(
        alt.Chart(data)
        .mark_line(point=True, color=PALETTE[0])
        .encode(x=x_enc, y=alt.Y(f"{median}:Q", title=y_title or ""))
    )
    chart = alt.layer(*layers, title=title).properties(width=width, height=height)
    return svg(chart.configure_view(stroke=None).configure(font="Arial"))

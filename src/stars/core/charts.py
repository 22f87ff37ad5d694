"""Charts: one Vega-Lite definition rendered to SVG offline, for pages and PDFs.

A chart is always shown with its data table beside it (the template's job), so the
figures can be read without the picture. The definitions are written as Vega-Lite JSON
directly (the grammar Altair writes): importing Altair took about 36 MiB in every process
that could draw a chart, for three kinds of chart.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

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
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.4.1.json"
# every chart: Arial, no frame around the plot (Vega-Lite's default view size is kept)
CONFIG = {"font": "Arial", "view": {"continuousHeight": 300, "continuousWidth": 300}}
TYPES = {"N": "nominal", "O": "ordinal", "Q": "quantitative", "T": "temporal"}

Spec = dict[str, Any]


def _field(field: str, kind: str, **more: Any) -> Spec:
    """An encoding channel: ``field`` of Vega-Lite type ``kind`` (N, O, Q or T)."""
    return {"field": field, "type": TYPES[kind], **more}


def _color(field: str, colors: Mapping[str, str] | None) -> Spec:
    """Colours by ``field``: ``colors`` fixes each value's colour (a value means the same
    colour in every chart, present or not); otherwise the palette in sorted order."""
    if colors:
        scale: Spec = {"domain": list(colors), "range": list(colors.values())}
    else:
        scale = {"range": PALETTE}
    return _field(field, "N", scale=scale, title=field)


def _chart(rows: Sequence[Mapping[str, Any]], title: str, **spec: Any) -> Spec:
    return {
        "$schema": SCHEMA,
        "config": CONFIG,
        "data": {"values": [dict(r) for r in rows]},
        "title": title,
        **spec,
    }


def svg(spec: Spec) -> str:
    """Render a Vega-Lite definition to an SVG string (no browser needed)."""
    return vlc.vegalite_to_svg(json.dumps(spec, indent=2, sort_keys=True, ensure_ascii=False))


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
    category = _field(x, "N", title=x_title if x_title is not None else x, sort=None)
    value = _field(
        y, "Q", title=y_title if y_title is not None else y, stack="zero" if stack else None
    )
    enc: Spec = {"x": value, "y": category} if horizontal else {"x": category, "y": value}
    if color:
        enc["color"] = _color(color, colors)
        if not stack and not horizontal:
            enc["xOffset"] = _field(color, "N")
        elif not stack:
            enc["yOffset"] = _field(color, "N")
    return svg(_chart(rows, title, mark={"type": "bar"}, encoding=enc, width=width, height=height))


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
    enc: Spec = {
        "x": _field(x, "T" if temporal else "O", title=x_title if x_title is not None else x),
        "y": _field(y, "Q", title=y_title if y_title is not None else y),
    }
    if color:
        enc["color"] = _color(color, colors)
    return svg(
        _chart(
            rows,
            title,
            mark={"type": "line", "point": True},
            encoding=enc,
            width=width,
            height=height,
        )
    )


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
    x_enc = _field(x, "O", title=x_title if x_title is not None else x)
    layers: list[Spec] = [
        {
            "mark": {"type": "area", "color": PALETTE[0], "opacity": 0.18 + 0.2 * i},
            "encoding": {
                "x": x_enc,
                "y": _field(low, "Q", title=y_title or ""),
                "y2": {"field": high},
            },
        }
        for i, (low, high) in enumerate(bands)
    ]
    layers.append(
        {
            "mark": {"type": "line", "point": True, "color": PALETTE[0]},
            "encoding": {"x": x_enc, "y": _field(median, "Q", title=y_title or "")},
        }
    )
    return svg(_chart(rows, title, layer=layers, width=width, height=height))

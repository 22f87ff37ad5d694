"""Where a key is in a TOML text: the line and column an error about it points at.

``tomllib`` reads values but gives no positions, so a light scan of the text finds them:
table headers (``[a.b]``, and ``[[a.b]]`` numbered from 0 within their table), keys (bare,
quoted and dotted), the keys of an inline table on their line; multi-line strings and
arrays are stepped over. A key is named as the contract's errors name it:
``cohort[1].milestone[0].continuous_weeks``; one not written in the text (a key that is
missing, a value's element) is placed at the nearest thing that is, its table.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

_HEADER = re.compile(r"^(\s*)(\[\[?)([^\[\]]+)\]\]?\s*(?:#.*)?$")
_PART = r"""(?:[A-Za-z0-9_-]+|"(?:\\.|[^"\\])*"|'[^']*')"""
_KEY = re.compile(rf"^(\s*)({_PART}(?:\s*\.\s*{_PART})*)\s*=")
_INLINE_KEY = re.compile(rf"([{{,]\s*)({_PART}(?:\s*\.\s*{_PART})*)\s*=")
_STRING = re.compile(r""""(?:\\.|[^"\\])*"|'[^']*'""")


def toml_loads(text: str, **options: Any) -> dict[str, Any]:
    """``tomllib.loads``, with arrays or inline tables nested too deeply to read refused as
    a syntax error at the line and column where the nesting is deepest. ``tomllib`` reads
    each level of nesting by calling itself, so a file of a few thousand ``[`` ran Python's
    stack out: a ``RecursionError`` naming no file, line or column, and an upload "could
    not be processed". Every TOML text STARS reads from a file goes through here."""
    try:
        return tomllib.loads(text, **options)
    except RecursionError:
        line, column, depth = _deepest(text)
        raise tomllib.TOMLDecodeError(
            f"arrays or inline tables nested {depth} deep, too deep to read; expected a "
            f"few levels (at line {line}, column {column})"
        ) from None


def _deepest(text: str) -> tuple[int, int, int]:
    """Line and column (from 1) where brackets and braces, outside strings and comments,
    are first nested deepest, and that depth."""
    depth, best = 0, (1, 1, 0)
    for number, line in enumerate(text.splitlines(), 1):
        # strings blanked to their own width, so a column counts as in the line
        code = _STRING.sub(lambda m: " " * len(m[0]), line).split("#", 1)[0]
        for column, char in enumerate(code, 1):
            if char in "[{":
                depth += 1
                if depth > best[2]:
                    best = (number, column, depth)
            elif char in "]}":
                depth = max(depth - 1, 0)
    return best


def decode_error_position(exc: tomllib.TOMLDecodeError) -> tuple[int, int, str]:
    """Line, column and message of a TOML syntax error (``tomllib`` writes the position
    into its message: "Invalid value (at line 3, column 9)")."""
    m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
    line, column = (int(m[1]), int(m[2])) if m else (1, 1)
    return line, column, str(exc).split(" (at line")[0]


def key_position(text: str, key: str) -> tuple[int, int] | None:
    """Line and column (from 1) of ``key`` in the TOML ``text``, or of the nearest table
    holding it when it is not written there; None when neither is."""
    positions = _positions(text)
    while key:
        if key in positions:
            return positions[key]
        key = _holder(key)
    return None


def _holder(key: str) -> str:
    """What holds ``key``: ``a[1].b`` -> ``a[1]`` -> ``a`` -> ``""``."""
    if key.endswith("]") and "[" in key:
        return key[: key.rindex("[")]
    return key.rsplit(".", 1)[0] if "." in key else ""


def _parts(dotted: str) -> list[str]:
    return [p.strip("\"'") for p in re.findall(_PART, dotted)]


def _join(*parts: str) -> str:
    return ".".join(p for p in parts if p)


def _code(line: str) -> str:
    """The line without its strings' contents and its comment: what brackets count in."""
    return _STRING.sub('""', line).split("#", 1)[0]


def _positions(text: str) -> dict[str, tuple[int, int]]:
    positions: dict[str, tuple[int, int]] = {}
    arrays: dict[str, int] = {}  # an array of tables -> the index of its latest table
    table = ""
    closing = ""  # the delimiter that ends the multi-line string being stepped over
    depth = 0  # of brackets still open in a multi-line array
    for number, line in enumerate(text.splitlines(), 1):
        if closing:
            if closing in line:
                closing = ""
            continue
        if depth > 0:
            code = _code(line)
            depth += code.count("[") + code.count("{") - code.count("]") - code.count("}")
            continue
        header = _HEADER.match(line)
        if header:
            table = _table(header[3], header[2] == "[[", arrays)
            positions.setdefault(table, (number, len(header[1]) + 1))
            if header[2] == "[[":  # the array itself: its first table
                positions.setdefault(table[: table.rindex("[")], (number, len(header[1]) + 1))
            continue
        m = _KEY.match(line)
        if not m:
            continue
        path = _join(table, *_parts(m[2]))
        positions.setdefault(path, (number, len(m[1]) + 1))
        rest = line[m.end() :].lstrip()
        for quotes in ('"""', "'''"):
            if rest.startswith(quotes) and quotes not in rest[3:]:
                closing = quotes
        if closing:
            continue
        if rest.startswith("{"):
            start = m.end() + line[m.end() :].index("{")
            for k in _INLINE_KEY.finditer(line, start):
                col = k.start(2) + 1
                positions.setdefault(_join(path, *_parts(k[2])), (number, col))
        code = _code(rest)
        depth = code.count("[") + code.count("{") - code.count("]") - code.count("}")
    return positions


def _table(name: str, array: bool, arrays: dict[str, int]) -> str:
    """A header's table as errors name it; an array's table numbered, and counted in
    ``arrays``. ``[[cohort.milestone]]`` is ``cohort[i].milestone[j]``: i the latest cohort,
    j counted within it."""
    parts = _parts(name)
    path = ""
    for part in parts[:-1]:
        path = _join(path, part)
        if path in arrays:
            path = f"{path}[{arrays[path]}]"
    path = _join(path, parts[-1])
    if not array:
        return path
    arrays[path] = arrays.get(path, -1) + 1
    return f"{path}[{arrays[path]}]"

"""Text a spreadsheet would run as a formula: the one rule every CSV and XLSX writer applies.

Spreadsheet programs read a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or
carriage return before one) as a formula, so a child's name, a note or a reason typed as
``=HYPERLINK("http://evil", "click")`` would run when a council opens a download ("CSV
injection", OWASP). Following OWASP's advice, such text is written to CSV with a single
quote in front (``'=HYPERLINK(...)``), which spreadsheets show as text; XLSX cells are typed
as text instead (``stars.core.spreadsheets``). A number written as text (``-853592.00``) is
not a formula and stays as it is, so amounts stay numbers.
"""

from __future__ import annotations

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def runs_as_formula(text: str) -> bool:
    """Would a spreadsheet read this text as a formula (and not as a number)?"""
    return text.startswith(FORMULA_START) and not _NUMBER.fullmatch(text)


def inert(text: str) -> str:
    """The text as a CSV cell a spreadsheet shows as text: a quote before a formula."""
    return "'" + text if runs_as_formula(text) else text

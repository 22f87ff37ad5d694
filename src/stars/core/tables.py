"""A titled table: one source for a page, its HTML file and its XLSX sheet."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list[Any]]
    money: set[str] = field(default_factory=set)
    rates: set[str] = field(default_factory=set)
    changes: set[str] = field(default_factory=set)  # money changed since before: signed
    count_changes: set[str] = field(default_factory=set)  # counts changed since: signed
    rate_rows: set[str] = field(default_factory=set)  # rows (by first cell) of rates

    def cells(self) -> list[list[tuple[Any, str]]]:
        """Each cell with its kind ('money', 'change', 'count_change', 'rate', 'num' or
        'text') for display."""
        out = []
        for row in self.rows:
            line = []
            rate_row = bool(row) and row[0] in self.rate_rows
            for h, v in zip(self.headers, row, strict=True):
                kind = (
                    "money"
                    if h in self.money
                    else "change"
                    if h in self.changes
                    else "count_change"
                    if h in self.count_changes and isinstance(v, int)
                    else "rate"
                    if (h in self.rates and not isinstance(v, str))
                    or (rate_row and isinstance(v, Decimal | float))
                    else "num"
                    if isinstance(v, int | Decimal)
                    else "text"
                )
                line.append((v, kind))
            out.append(line)
        return out

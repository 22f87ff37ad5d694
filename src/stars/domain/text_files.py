"""Reading the text of files people send: UTF-8 decoding that says where it fails, and room
for long CSV fields.

``decode`` turns a file's bytes into text, or raises ``NotText`` naming the physical line
(and, for a CSV file, the column by its heading) of the first byte that is not UTF-8, so
that a spreadsheet saved in another encoding is one clear message, not a byte offset.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager

BYTE_LINE_BREAK = re.compile(b"\r\n|\r|\n")  # physical lines as the csv module counts them
ESCAPED = re.compile("[\udc80-\udcff]")  # an undecodable byte, as surrogateescape keeps it


class NotText(ValueError):
    """A file that is not UTF-8 text, with where its first bad byte is."""

    def __init__(self, file: str, line: int, column: str, byte: int, csv_file: bool) -> None:
        self.file, self.line, self.column, self.byte = file, line, column, byte
        hint = " (save the file as CSV UTF-8)" if csv_file else ""
        self.message = f"byte 0x{byte:02x} is not UTF-8; expected UTF-8 text{hint}"
        super().__init__(str(self))

    def __str__(self) -> str:
        column = f" column {self.column}:" if self.column else ""
        return f"{self.file}:{self.line}:{column} {self.message}"


def decode(name: str, data: bytes, *, csv_file: bool = True) -> str:
    """The UTF-8 text of a file's bytes (a byte-order mark kept), or ``NotText``.

    For a CSV file the column is named too: the heading of the field holding the bad byte
    (its position when the heading row itself holds it).
    """
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = exc.start
    line = len(BYTE_LINE_BREAK.findall(data, 0, bad)) + 1
    column = _column_of_bad_byte(data) if csv_file else ""
    raise NotText(name, line, column, data[bad], csv_file)


def _column_of_bad_byte(data: bytes) -> str:
    """The heading (or the position) of the first field holding an undecodable byte."""
    text = data.decode("utf-8", "surrogateescape").removeprefix("\ufeff")
    names: list[str] = []
    with field_limit(len(text)):
        try:
            for row in csv.reader(io.StringIO(text, newline="")):
                for i, v in enumerate(row):
                    if ESCAPED.search(v):
                        known = i < len(names) and names[i]
                        return names[i] if known else f"{i + 1}"
                if not names:
                    names = [h.strip() for h in row]
        except csv.Error:
            pass
    return ""


@contextmanager
def field_limit(size: int) -> Iterator[None]:
    """Let the csv module read fields as long as ``size`` (its default stops at 128 KiB),
    so that an overlong cell is reported at its line and column like any other."""
    before = csv.field_size_limit()
    csv.field_size_limit(max(before, size + 1))
    try:
        yield
    finally:
        csv.field_size_limit(before)

"""Reading the text of files people send: UTF-8 decoding that says where it fails, and room
for long CSV fields.

``decode`` turns a file's bytes into text, or raises ``NotText`` naming the physical line
(and, for a CSV file, the column by its heading) of the first byte that is not UTF-8, so
that a spreadsheet saved in another encoding is one clear message, not a byte offset.
``as_utf8`` reads what spreadsheets save besides: UTF-16 (Excel's "Unicode text", with its
byte-order mark; other tools write it without) and Windows-1252 (Excel's "CSV" on
Windows, with a pound sign or an accented name), and says which encoding it read.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

BYTE_LINE_BREAK = re.compile(b"\r\n|\r|\n")  # physical lines as the csv module counts them
ESCAPED = re.compile("[\udc80-\udcff]")  # an undecodable byte, as surrogateescape keeps it


UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")  # little- and big-endian
WINDOWS_1252 = "Windows-1252"
UTF16_SNIFF = 64  # bytes of the heading row looked at for UTF-16 without a byte-order mark


class NotText(ValueError):
    """A file that is not UTF-8 text, with where its first bad byte is."""

    def __init__(
        self, file: str, line: int, column: str, byte: int, csv_file: bool, also: str = ""
    ) -> None:
        self.file, self.line, self.column, self.byte = file, line, column, byte
        hint = " (save the file as CSV UTF-8)" if csv_file else ""
        what = f"neither UTF-8 nor {also}" if also else "not UTF-8"
        self.message = f"byte 0x{byte:02x} is {what}; expected UTF-8 text{hint}"
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


@dataclass(frozen=True)
class Utf8:
    """A file's bytes as UTF-8 (no byte-order mark) and the encoding they were read in."""

    data: bytes
    encoding: str  # "UTF-8", "UTF-16" or WINDOWS_1252

    @property
    def converted(self) -> bool:
        return self.encoding != "UTF-8"

    @property
    def note(self) -> str:
        """How the file was read, for a note naming it ("" when read as UTF-8)."""
        if not self.converted:
            return ""
        if self.encoding == "UTF-16":
            return 'read as UTF-16 (as Excel saves "Unicode text"); stored as UTF-8'
        return f'read as {self.encoding}, not UTF-8 (as Excel saves "CSV"); stored as UTF-8'


def as_utf8(name: str, data: bytes) -> Utf8:
    """A CSV file's bytes as UTF-8, a byte-order mark dropped, or ``NotText``.

    UTF-8 (with or without its byte-order mark) is kept as it is, only checked: no copy of
    the file is made beside it. A file starting with UTF-16's byte-order mark is read as
    UTF-16, and so is one without it whose heading row is UTF-16 (``_utf16_without_bom``);
    one that is not valid UTF-8 as Windows-1252 (what Excel on Windows saves as
    "CSV"), unless it holds one of the five bytes Windows-1252 leaves undefined: then
    ``NotText`` names the first byte that is not UTF-8.
    """
    utf16 = "utf-16" if data.startswith(UTF16_BOMS) else _utf16_without_bom(data)
    if utf16:
        try:
            text = data.decode(utf16)
        except UnicodeDecodeError as exc:
            line = len(BYTE_LINE_BREAK.findall(data, 0, exc.start)) + 1
            raise NotText(name, line, "", data[exc.start], True, also="UTF-16") from None
        return Utf8(text.encode("utf-8"), "UTF-16")
    try:
        decode(name, data)
    except NotText as not_utf8:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            line = len(BYTE_LINE_BREAK.findall(data, 0, exc.start)) + 1
            column = _column_of_bad_byte(data, "cp1252")
            raise NotText(name, line, column, data[exc.start], True, also=WINDOWS_1252) from (
                not_utf8
            )
        return Utf8(text.encode("utf-8"), WINDOWS_1252)
    return Utf8(data.removeprefix(UTF8_BOM), "UTF-8")


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when the file starts as UTF-16 written without its
    byte-order mark: a heading row in ASCII, every other byte of it NUL (a byte UTF-8 and
    Windows-1252 text never hold), the others not; else None."""
    head = data[: min(len(data), UTF16_SNIFF) // 2 * 2]
    if not head:
        return None
    even, odd = set(head[0::2]), set(head[1::2])
    if odd == {0} and 0 not in even:
        return "utf-16-le"
    if even == {0} and 0 not in odd:
        return "utf-16-be"
    return None


def _column_of_bad_byte(data: bytes, encoding: str = "utf-8") -> str:
    """The heading (or the position) of the first field holding a byte ``encoding`` cannot
    decode."""
    text = data.decode(encoding, "surrogateescape").removeprefix("\ufeff")
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

"""What every list page shares: filters and a sort chosen from fixed options, pages of 50,
and page links that keep the filters.

A value typed into the address that is not one of a filter's options is ignored (the list
is shown unfiltered), never an error.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from stars.core.cache import cached_figures, data_version

PAGE_SIZE = 50


@dataclass(frozen=True)
class Filter:
    """One select of a list's filter form: ``options`` are (value, label); "" is "All"."""

    name: str
    label: str
    options: Sequence[tuple[str, str]]
    value: str = ""
    all_label: str = "All"


def chosen(
    request: HttpRequest, name: str, options: Sequence[tuple[str, str]], default: str = ""
) -> str:
    """The request's value for ``name`` if it is one of the options, else ``default``."""
    value = request.GET.get(name, default)
    return value if value in {v for v, _ in options} else default


def filters_from(request: HttpRequest, *specs: Filter) -> list[Filter]:
    """Each filter with the request's value (only one of its options)."""
    return [
        Filter(f.name, f.label, f.options, chosen(request, f.name, f.options, f.value), f.all_label)
        for f in specs
    ]


def page_of(request: HttpRequest, items: Any, size: int = PAGE_SIZE) -> Page:
    """The page asked for (``?page=N``; the last one past the end, the first for nonsense)."""
    return Paginator(items, size).get_page(request.GET.get("page"))


class Rows:
    """A list page's rows worked out only for the page shown: the database filters, sorts,
    counts and cuts ``records`` (a queryset), and ``build`` turns the records of the page
    into its rows (a row may need rules the database does not hold). With ``tracked`` (the
    models whose records the count reads) the count is kept per version of them
    (:func:`rows_count`)."""

    def __init__(
        self,
        records: QuerySet[Any] | list[Any],
        build: Callable[[list[Any]], list[Any]],
        tracked: Sequence[type[models.Model]] = (),
    ):
        self.records = records  # or a list, already in order, of what ``build`` reads
        self.build = build
        self.tracked = tuple(tracked)

    def count(self) -> int:
        if isinstance(self.records, list):
            return len(self.records)
        return rows_count(self.records, self.tracked)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[Any]:
        return self.build(list(self.records[index]))


def rows_count(records: QuerySet[Any], tracked: Sequence[type[models.Model]] = ()) -> int:
    """How many records a list holds, counted by the database: the records' keys only (a
    scope's DISTINCT would make the database sort every row; the annotations a count does
    not need are left out). With ``tracked``, the models whose records the count reads, the
    count is kept per version of their records (``stars.core.cache``) and per the count's
    own SQL and parameters (the scope, the filters and their dates are in them): a list
    opened again, at any of its pages, is not counted again until a record changes."""
    if not records.query.distinct:
        counted = records.order_by()
    else:
        counted = records.model._default_manager.filter(pk__in=records.order_by().values("pk"))
    if not tracked or counted.query.is_empty():
        return counted.count()
    sql, params = counted.values("pk").query.sql_with_params()
    return cached_figures(
        "rows_count", data_version(tuple(tracked)), (sql, params), lambda: counted.count()
    )


def query_without_page(request: HttpRequest) -> str:
    """The request's query string without ``page``, for the page links."""
    q = request.GET.copy()
    q.pop("page", None)
    return q.urlencode()

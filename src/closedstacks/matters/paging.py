"""Pages of a long list without counting it: one query for the page (and one row more, to know if
there is a next page). Counting 100,000 matters for a page number costs more than the page."""

from __future__ import annotations

from dataclasses import dataclass

PER_PAGE = 50


@dataclass
class Page:
    rows: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def page_of(queryset, request, *, orderings: dict[str, tuple[str, ...]], default: str) -> tuple[Page, str]:
    sort = request.GET.get("sort", default)
    if sort not in orderings:
        sort = default
    raw = request.GET.get("page", "1")
    number = int(raw) if raw.isdigit() and 0 < int(raw) < 100000 else 1
    start = (number - 1) * PER_PAGE
    rows = list(queryset.order_by(*orderings[sort])[start:start + PER_PAGE + 1])
    return Page(rows[:PER_PAGE], number, len(rows) > PER_PAGE), sort

"""Offset/limit paging, declared once: a :class:`Listing` knows how to ask for a page and when the
listing is done; the sync and async pagers only drive it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Generic

from openmaas_client._models import ItemT, Page
from openmaas_client._wire import Call


@dataclass(frozen=True)
class Cursor:
    offset: int
    seen: int


@dataclass(frozen=True)
class Listing(Generic[ItemT]):
    page_call: Callable[[int, int], Call[Page[ItemT]]]
    limit: int
    offset: int = 0

    def first(self) -> Cursor:
        return Cursor(self.offset, self.offset)

    def call(self, cursor: Cursor) -> Call[Page[ItemT]]:
        return self.page_call(cursor.offset, self.limit)

    def after(self, cursor: Cursor, page: Page[ItemT]) -> Cursor | None:
        """The next page, or None: stop on an empty page and once ``total`` items were seen, so a
        server that ignores offset/limit and answers everything at once is not asked again."""
        seen = cursor.seen + len(page.items)
        if not page.items or seen >= page.total:
            return None
        return Cursor(cursor.offset + self.limit, seen)


class Pager(Generic[ItemT]):
    """Iterates the items of every page; ``pages()`` yields the pages themselves."""

    def __init__(self, listing: Listing[ItemT], fetch: Callable[[Call[Page[ItemT]]], Page[ItemT]]) -> None:
        self._listing, self._fetch = listing, fetch

    def pages(self) -> Iterator[Page[ItemT]]:
        cursor: Cursor | None = self._listing.first()
        while cursor is not None:
            page = self._fetch(self._listing.call(cursor))
            yield page
            cursor = self._listing.after(cursor, page)

    def __iter__(self) -> Iterator[ItemT]:
        for page in self.pages():
            yield from page.items


class AsyncPager(Generic[ItemT]):
    """``async for`` over the items of every page; ``pages()`` yields the pages themselves."""

    def __init__(
        self, listing: Listing[ItemT], fetch: Callable[[Call[Page[ItemT]]], Awaitable[Page[ItemT]]]
    ) -> None:
        self._listing, self._fetch = listing, fetch

    async def pages(self) -> AsyncIterator[Page[ItemT]]:
        cursor: Cursor | None = self._listing.first()
        while cursor is not None:
            page = await self._fetch(self._listing.call(cursor))
            yield page
            cursor = self._listing.after(cursor, page)

    async def __aiter__(self) -> AsyncIterator[ItemT]:
        async for page in self.pages():
            for item in page.items:
                yield item

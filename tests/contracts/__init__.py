"""One contract suite per store port: the behaviour every implementation must have.

Each `*Contract` class is collected through two subclasses that provide its `store` fixture (or
the stores it needs): one on the in-memory fake (`tests/unit/test_fake_stores.py`) and one on
the DynamoDB store in moto (`tests/integration/test_*_store.py`). A behaviour that passes on the
fake but fails on DynamoDB means the fake lies, and the unit tests built on it with it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from chalicelib.persistence.paging import Page

T = TypeVar("T")


def every_page(read: Callable[[str | None], Page[T]], most: int = 50) -> list[Page[T]]:
    """Follow a list's `next_token` from the first page to the last."""
    pages = [read(None)]
    while pages[-1].next_token is not None:
        assert len(pages) < most, "the list never ends"
        pages.append(read(pages[-1].next_token))
    return pages


def all_items(read: Callable[[str | None], Page[T]]) -> list[T]:
    return [item for page in every_page(read) for item in page.items]

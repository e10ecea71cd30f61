"""The one shape of every list answer: `{"items": […], "next_token": …}` (api-conventions.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from chalicelib.core.timefmt import iso
from chalicelib.persistence.paging import Page

T = TypeVar("T")


def list_body(page: Page[T], render: Callable[[T], dict[str, Any]], now: int | None = None) -> dict[str, Any]:
    """One page, each item rendered; with `now`, the server's time for the countdowns on it."""
    body: dict[str, Any] = {"items": [render(item) for item in page.items], "next_token": page.next_token}
    if now is not None:
        body["server_time"] = iso(now)
    return body

"""A per-container, few-seconds cache of the catalogue as orders read it.

Every order reads its merchant and products; with the cache, a busy merchant's profile and menu
cost one read per container per TTL instead of two per order (DynamoDB reads, latency, and in the
local stack most of an order's CPU). Writes made through this container forget the merchant at
once; other Lambda containers see a change within `ttl_ms` — a price or a pause takes effect
within seconds everywhere, and the price an order gets is still the server's.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from chalicelib.catalogue.model import Merchant, Product
from chalicelib.catalogue.ports import CatalogueStore
from chalicelib.core.clock import Clock

DEFAULT_TTL_MS = 5_000
K = TypeVar("K")
V = TypeVar("V")


class _Expiring(Generic[K, V]):
    def __init__(self, clock: Clock, ttl_ms: int) -> None:
        self._clock = clock
        self._ttl_ms = ttl_ms
        self._entries: dict[K, tuple[int, V]] = {}

    def get(self, key: K) -> tuple[bool, V | None]:
        entry = self._entries.get(key)
        if entry is None or entry[0] <= self._clock.now_ms():
            return False, None
        return True, entry[1]

    def put(self, key: K, value: V) -> None:
        self._entries[key] = (self._clock.now_ms() + self._ttl_ms, value)

    def forget(self, matches: Callable[[K], bool]) -> None:
        for key in [k for k in self._entries if matches(k)]:
            self._entries.pop(key, None)


class CatalogueCache:
    def __init__(self, store: CatalogueStore, clock: Clock, ttl_ms: int = DEFAULT_TTL_MS) -> None:
        self._store = store
        self._merchants: _Expiring[str, Merchant | None] = _Expiring(clock, ttl_ms)
        self._products: _Expiring[tuple[str, str], Product | None] = _Expiring(clock, ttl_ms)
        self._lock = threading.Lock()

    def merchant(self, merchant_id: str) -> Merchant | None:
        with self._lock:
            known, merchant = self._merchants.get(merchant_id)
        if known:
            return merchant
        merchant = self._store.get_merchant(merchant_id)
        with self._lock:
            self._merchants.put(merchant_id, merchant)
        return merchant

    def products(self, merchant_id: str, product_ids: list[str]) -> dict[str, Product]:
        found: dict[str, Product] = {}
        missing: list[str] = []
        with self._lock:
            for product_id in dict.fromkeys(product_ids):
                known, product = self._products.get((merchant_id, product_id))
                if not known:
                    missing.append(product_id)
                elif product is not None:
                    found[product_id] = product
        if missing:
            fetched = self._store.products_by_id(merchant_id, missing)
            with self._lock:
                for product_id in missing:
                    self._products.put((merchant_id, product_id), fetched.get(product_id))
            found.update(fetched)
        return found

    def forget(self, merchant_id: str) -> None:
        with self._lock:
            self._merchants.forget(lambda key: key == merchant_id)
            self._products.forget(lambda key: key[0] == merchant_id)

"""A per-container, few-seconds cache of the catalogue as orders read it.

Every order reads its merchant and products; with the cache, a busy merchant's profile and menu
cost one read per container per TTL instead of two per order (DynamoDB reads, latency, and in the
local stack most of an order's CPU). Writes made through this container forget the merchant at
once; other Lambda containers see a change within `ttl_ms` — a price or a pause takes effect
within seconds everywhere, and the price an order gets is still the server's.
"""

from __future__ import annotations

import threading

from chalicelib.catalogue.model import Merchant, Product
from chalicelib.catalogue.ports import CatalogueStore
from chalicelib.core.clock import Clock
from chalicelib.core.expiring import Expiring

DEFAULT_TTL_MS = 5_000


class CatalogueCache:
    def __init__(self, store: CatalogueStore, clock: Clock, ttl_ms: int = DEFAULT_TTL_MS) -> None:
        self._store = store
        self._merchants: Expiring[str, Merchant | None] = Expiring(clock, ttl_ms)
        self._products: Expiring[tuple[str, str], Product | None] = Expiring(clock, ttl_ms)
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

"""Timed orders in memory: `OrderStore` with the Dynamo store's indexes (`chalicelib/orders/store.py`)."""

from __future__ import annotations

from chalicelib.orders.model import Order, Status
from chalicelib.orders.ports import OrderStore
from chalicelib.persistence.paging import Page
from tests.fakes.entities import InMemoryEntityStore, refuse_unknown
from tests.fakes.paging import Position, page_of


def _newest(order: Order) -> Position:
    return order.created_at, order.id


class InMemoryOrderStore(InMemoryEntityStore[Order], OrderStore):
    """Orders write no side records; the lists read the same sparse and sorted indexes."""

    def apply_writes(self, entity_id: str, writes: tuple[object, ...]) -> None:
        refuse_unknown(self, writes, ())

    def pending_for_merchant(self, merchant_id: str, limit: int, token: str | None) -> Page[Order]:
        waiting = (o for o in self.entities() if o.is_waiting and o.merchant_id == merchant_id)
        return page_of(waiting, limit, token, index="orders.merchant_pending",
                       position=lambda o: (o.answer_deadline, o.id))

    def for_merchant(self, merchant_id: str, status: Status | None, limit: int, token: str | None) -> Page[Order]:
        return page_of((o for o in self.entities() if o.merchant_id == merchant_id), limit, token,
                       index="orders.by_merchant", position=_newest, descending=True,
                       matches=lambda o: status is None or o.status is status)

    def for_customer(self, customer_id: str, limit: int, token: str | None) -> Page[Order]:
        return page_of((o for o in self.entities() if o.customer_id == customer_id), limit, token,
                       index="orders.by_customer", position=_newest, descending=True)

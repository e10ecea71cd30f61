"""Split orders through the app: three suppliers (shoes with sizes, books, gift cards), a customer
with a saved default address, the sandbox provider's signed callbacks delivered through the app,
and the levers a functional test pulls — the clock, the payment alarm, terminals."""

from __future__ import annotations

from typing import Any

from chalice.test import Client

from chalicelib.checkout.model import Purchase
from chalicelib.payments.port import PaymentOutcome
from chalicelib.payments.signing import sign
from devstack.sandbox.provider import SandboxProvider, SignedCallback
from tests.builders import cny
from tests.conftest import World
from tests.functional.api import Api, Reply
from tests.functional.levers import AppLevers

HOME = {"line1": "1 Bund Road", "city": "Shanghai", "lat": 31.2304, "lng": 121.4737}
DEPOT = {"lat": 31.3024, "lng": 121.4737}  # 8 km north of HOME
TABLES = ("purchases", "supplier_orders", "supplier_products", "suppliers", "addresses")
SUPPLIERS = {
    "s_shoes": {"name": "Shoe House", "shipping_fee": cny(1000)},
    "s_books": {"name": "Book Barn", "shipping_fee": cny(500)},
    "s_cards": {"name": "Card Cave", "shipping_fee": cny(0)},
}
PRODUCTS: dict[str, list[dict[str, Any]]] = {
    "s_shoes": [{"product_id": "p_run", "name": "Runner", "price": cny(5000), "stock": 10, "kind": "physical",
                 "category": "shoes", "attributes": {"size": ["40", "41", "42"]}}],
    "s_books": [{"product_id": "p_novel", "name": "Novel", "price": cny(3000), "stock": 5, "kind": "physical",
                 "category": "books", "attributes": {}}],
    "s_cards": [{"product_id": "p_gift", "name": "Gift card 100", "price": cny(10000), "stock": 50, "kind": "virtual",
                 "category": "gift_cards", "attributes": {}}],
}


class Market(AppLevers):
    tables = TABLES

    def __init__(self, world: World, client: Client) -> None:
        super().__init__(world, client)
        self.ops = self.party("ops", "ops-1")
        self.customer = self.party("customer", "u1")

    def supplier(self, supplier_id: str) -> Api:
        return self.party("supplier", f"{supplier_id}-clerk", supplier_id=supplier_id)

    # ── set-up ──────────────────────────────────────────────────────────────────────────────

    def open(self) -> None:
        for supplier_id, fields in SUPPLIERS.items():
            reply = self.ops.post("/suppliers", {"supplier_id": supplier_id, "currency": "CNY", **fields})
            assert reply.status == 201, reply.body
            for product in PRODUCTS[supplier_id]:
                body = {k: v for k, v in product.items() if k != "product_id"}
                put = self.supplier(supplier_id).put(f"/suppliers/{supplier_id}/products/{product['product_id']}", body)
                assert put.status == 201, put.body
        saved = self.customer.post("/me/addresses", {"label": "Home", "address": HOME, "default": True})
        assert saved.status == 201, saved.body

    # ── checkout ────────────────────────────────────────────────────────────────────────────

    @staticmethod
    def sections(shoes: int = 1, books: int = 1, cards: int = 1) -> list[dict[str, Any]]:
        wanted = []
        if shoes:
            wanted.append({"supplier_id": "s_shoes", "address": HOME, "items": [
                {"product_id": "p_run", "quantity": shoes, "unit_price": cny(5000), "attributes": {"size": "41"}}]})
        if books:
            wanted.append({"supplier_id": "s_books", "address": HOME, "items": [
                {"product_id": "p_novel", "quantity": books, "unit_price": cny(3000)}]})
        if cards:
            wanted.append({"supplier_id": "s_cards", "items": [
                {"product_id": "p_gift", "quantity": cards, "unit_price": cny(10000)}]})
        return wanted

    def checkout(self, sections: list[dict[str, Any]] | None = None, *, by: Api | None = None,
                 headers: dict[str, str] | None = None) -> Reply:
        return (by or self.customer).post("/purchases", {"sections": sections or self.sections()}, headers=headers)

    def bought(self, **quantities: int) -> dict[str, Any]:
        reply = self.checkout(self.sections(**quantities))
        assert reply.status == 201, reply.body
        return dict(reply.body)

    def stored(self, purchase_id: str) -> Purchase:
        found = self.world.checkout.checkout.store.get(purchase_id)
        assert found is not None
        return found

    def stock(self, supplier_id: str, product_id: str) -> int:
        reply = self.supplier(supplier_id).get(f"/suppliers/{supplier_id}/products/{product_id}")
        assert reply.status == 200, reply.body
        return int(reply.body["stock"])

    # ── the sandbox provider ────────────────────────────────────────────────────────────────

    @property
    def sandbox(self) -> SandboxProvider:
        provider = self.world.container.payments
        assert isinstance(provider, SandboxProvider)
        return provider

    def deliver_callback(self, callback: SignedCallback) -> Reply:
        """The provider's POST, through the app (no bearer token: the signature is the proof)."""
        return Api(self.client, None).post("/payments/callback", raw=callback.body, headers=callback.headers)

    def pay(self, purchase: dict[str, Any], outcome: PaymentOutcome = PaymentOutcome.SUCCEEDED) -> Reply:
        return self.deliver_callback(self.sandbox.pay(purchase["payment"]["payment_id"], outcome))

    def forged(self, body: bytes, secret: bytes = b"not-the-secret", at_s: int | None = None) -> Reply:
        at = self.world.clock.now_ms() // 1000 if at_s is None else at_s
        return Api(self.client, None).post("/payments/callback", raw=body, headers={
            "Content-Type": "application/json", "Payment-Signature": sign(secret, body, at)})

    def mismatched(self, purchase: dict[str, Any]) -> Reply:
        """The sandbox takes another amount than the purchase's and calls back (refused: 422)."""
        taken = purchase["total"]["amount"] + 1
        return self.deliver_callback(self.sandbox.pay(purchase["payment"]["payment_id"], PaymentOutcome.SUCCEEDED,
                                                      taken))

    @property
    def secret(self) -> bytes:
        return self.world.container.settings.payment_webhook_secrets[0].encode()

    def paid(self, **quantities: int) -> dict[str, Any]:
        purchase = self.bought(**quantities)
        reply = self.pay(purchase)
        assert reply.status == 200, reply.body
        return purchase

    # ── time ────────────────────────────────────────────────────────────────────────────────

    def advance(self, seconds: float) -> None:
        self.world.clock.advance(seconds)

    def expire(self, purchase_id: str) -> None:
        """Move the clock to the payment deadline and deliver the triggers sent so far."""
        wake_at = self.stored(purchase_id).wake_at
        assert wake_at is not None
        self.world.clock.set(wake_at)
        self.deliver(self.queued())

    def records(self) -> list[dict[str, Any]]:
        reply = self.customer.get("/purchase-records")
        assert reply.status == 200, reply.body
        return list(reply.body["items"])

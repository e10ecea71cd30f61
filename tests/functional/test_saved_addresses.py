"""A customer's saved addresses through the app: saving, replacing, choosing and deleting the
default over HTTP, who may use the routes, and bad bodies. (The address book's rules — the first
is the default, the default moves as a whole, at most 20, nobody else's — are unit-tested on
fakes: tests/unit/test_address_book.py.)"""

from __future__ import annotations

from typing import Any

import pytest
from chalice.test import Client

from tests.conftest import World
from tests.functional.api import Api, Reply
from tests.functional.levers import AppLevers

HOME = {"line1": "8 Garden Road", "city": "Shanghai", "postcode": "200000", "lat": 31.2304, "lng": 121.4737}
OFFICE = {"line1": "1 Century Avenue", "city": "Shanghai"}


class AddressLevers(AppLevers):
    tables = ("addresses",)

    def __init__(self, world: World, client: Client) -> None:
        super().__init__(world, client)
        self.alice = self.party("customer", "alice")
        self.bob = self.party("customer", "bob")

    def add(self, label: str = "Home", address: dict[str, Any] | None = None, *, by: Api | None = None,
            **fields: Any) -> dict[str, Any]:
        reply = (by or self.alice).post("/me/addresses", {"label": label, "address": address or HOME, **fields})
        assert reply.status == 201, reply.body
        self.world.clock.advance(1)  # addresses list oldest first
        return dict(reply.body)

    def listed(self, by: Api | None = None) -> list[dict[str, Any]]:
        reply = (by or self.alice).get("/me/addresses")
        assert reply.status == 200, reply.body
        return list(reply.body["items"])

    def defaults(self, by: Api | None = None) -> list[str]:
        return [a["label"] for a in self.listed(by) if a["default"]]

    @staticmethod
    def delete(api: Api, address_id: str) -> Reply:
        return api.call("DELETE", f"/me/addresses/{address_id}")


@pytest.fixture
def book(world: World, client: Client) -> AddressLevers:
    return AddressLevers(world, client)


def test_saving_or_replacing_with_default_true_moves_the_default_there(book: AddressLevers) -> None:
    home = book.add("Home")
    book.add("Office", OFFICE, default=True)
    assert book.defaults() == ["Office"]
    replaced = book.alice.put(f"/me/addresses/{home['address_id']}",
                              {"label": "Home (new)", "address": OFFICE, "default": True})
    assert replaced.status == 200, replaced.body
    assert replaced.body["label"] == "Home (new)" and replaced.body["default"] is True
    assert book.defaults() == ["Home (new)"]


def test_deleting_the_default_leaves_no_default_until_the_customer_chooses_one(book: AddressLevers) -> None:
    home = book.add("Home")
    office = book.add("Office", OFFICE)
    deleted = book.delete(book.alice, home["address_id"])
    assert deleted.status == 204 and deleted.body is None
    assert [a["label"] for a in book.listed()] == ["Office"]
    assert book.defaults() == []
    assert book.world.checkout.addresses.default_for("alice") is None
    assert book.delete(book.alice, home["address_id"]).status == 404
    book.alice.post(f"/me/addresses/{office['address_id']}/default")
    assert book.defaults() == ["Office"]


def test_only_customers_have_saved_addresses(book: AddressLevers) -> None:
    supplier = book.party("supplier", "sup-user-1", supplier_id="s_books")
    assert supplier.get("/me/addresses").status == 403
    assert supplier.post("/me/addresses", {"label": "Depot", "address": HOME}).status == 403


@pytest.mark.parametrize(("body", "fields"), [
    ({"label": "", "address": HOME}, ["label"]),
    ({"label": "Home", "address": {"line1": "8 Garden Road"}}, ["address.city"]),
    ({"label": "Home", "address": {**HOME, "lat": 91, "lng": "east"}}, ["address.lat", "address.lng"]),
    ({"label": "Home", "address": HOME, "default": "yes"}, ["default"]),
    ({"label": "Home", "address": HOME, "is_default": True}, ["is_default"]),
])
def test_a_bad_address_body_is_a_400_naming_every_field_and_changes_nothing(
        book: AddressLevers, body: dict[str, Any], fields: list[str]) -> None:
    home = book.add("Home")
    before = book.snapshot()
    for reply in (book.alice.post("/me/addresses", body), book.alice.put(f"/me/addresses/{home['address_id']}", body)):
        assert reply.status == 400 and reply.is_problem, reply.body
        assert reply.error_fields == fields
    assert book.snapshot() == before

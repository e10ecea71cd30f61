"""A customer's saved addresses through the app: the first becomes the default, the default moves
as a whole (never two, never lost to a replace), at most 20, and nobody else's are reachable."""

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


def test_the_first_saved_address_becomes_the_default_and_later_ones_do_not(book: AddressLevers) -> None:
    home = book.add("Home")
    assert home["default"] is True
    assert home["address"] == HOME and home["address_id"].startswith("adr_")
    office = book.add("Office", OFFICE)
    assert office["default"] is False
    assert office["address"] == OFFICE  # lat/lng are optional for a saved address
    assert [a["label"] for a in book.listed()] == ["Home", "Office"]
    assert book.defaults() == ["Home"]
    default = book.world.checkout.addresses.default_for("alice")
    assert default is not None and default.address_id == home["address_id"]


def test_making_another_address_the_default_leaves_exactly_one_default(book: AddressLevers) -> None:
    book.add("Home")
    office = book.add("Office", OFFICE)
    book.add("Gym", OFFICE)
    made = book.alice.post(f"/me/addresses/{office['address_id']}/default")
    assert made.status == 200 and made.body["default"] is True
    assert book.defaults() == ["Office"]
    again = book.alice.post(f"/me/addresses/{office['address_id']}/default")
    assert again.status == 200
    assert book.defaults() == ["Office"]


def test_saving_or_replacing_with_default_true_moves_the_default_there(book: AddressLevers) -> None:
    home = book.add("Home")
    book.add("Office", OFFICE, default=True)
    assert book.defaults() == ["Office"]
    replaced = book.alice.put(f"/me/addresses/{home['address_id']}",
                              {"label": "Home (new)", "address": OFFICE, "default": True})
    assert replaced.status == 200, replaced.body
    assert replaced.body["label"] == "Home (new)" and replaced.body["default"] is True
    assert book.defaults() == ["Home (new)"]


def test_replacing_the_default_without_default_true_keeps_it_the_default(book: AddressLevers) -> None:
    home = book.add("Home")
    replaced = book.alice.put(f"/me/addresses/{home['address_id']}", {"label": "Flat", "address": OFFICE})
    assert replaced.status == 200
    assert replaced.body["default"] is True and replaced.body["address"] == OFFICE
    assert replaced.body["created_at"] == home["created_at"]
    assert book.defaults() == ["Flat"]


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


def test_a_customer_saves_at_most_20_addresses(book: AddressLevers) -> None:
    for n in range(20):
        book.add(f"Place {n}", OFFICE)
    before = book.snapshot()
    refused = book.alice.post("/me/addresses", {"label": "One more", "address": OFFICE})
    assert refused.status == 422 and refused.is_problem
    assert book.snapshot() == before
    assert len(book.listed()) == 20
    assert book.defaults() == ["Place 0"]
    assert book.add("Bob's first", by=book.bob)["default"] is True  # the limit is per customer


def test_another_customers_address_is_not_found_and_stays_as_it_was(book: AddressLevers) -> None:
    bobs = book.add("Bob's home", by=book.bob)
    book.add("Alice's home")
    before = book.snapshot()
    path = f"/me/addresses/{bobs['address_id']}"
    assert book.alice.put(path, {"label": "Mine now", "address": OFFICE}).status == 404
    assert book.alice.post(f"{path}/default").status == 404
    deleted = book.delete(book.alice, bobs["address_id"])
    assert deleted.status == 404 and deleted.is_problem
    assert book.snapshot() == before
    assert [a["label"] for a in book.listed()] == ["Alice's home"]
    assert [a["label"] for a in book.listed(book.bob)] == ["Bob's home"]


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

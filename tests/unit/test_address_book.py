"""A customer's saved addresses on fakes: the first becomes the default, the default moves as a
whole (never two, never lost to a replace), at most 20, and nobody else's are reachable. (Those
named as in tests/functional/test_saved_addresses.py were moved here: they only drove the address
book's rules over HTTP.)"""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.checkout.addresses import MAX_ADDRESSES
from chalicelib.checkout.model import SavedAddress
from chalicelib.checkout.supplier_schemas import SavedAddressIn
from chalicelib.core.address import Address
from chalicelib.core.errors import Forbidden, NotFound, ValidationFailed
from tests.fakes.platform import FakeWorld, caller
from tests.unit.arrange import body

ALICE, BOB = caller("customer", "alice"), caller("customer", "bob")
HOME = {"line1": "8 Garden Road", "city": "Shanghai", "postcode": "200000", "lat": 31.2304, "lng": 121.4737}
OFFICE = {"line1": "1 Century Avenue", "city": "Shanghai"}


def add(world: FakeWorld, label: str = "Home", address: dict[str, Any] | None = None, *, by: Any = ALICE,
        **fields: Any) -> SavedAddress:
    saved = world.checkout.addresses.add(by, body(SavedAddressIn, label=label, address=address or HOME, **fields))
    world.clock.advance(1)  # addresses list oldest first
    return saved


def labels(world: FakeWorld, by: Any = ALICE) -> list[str]:
    return [a.label for a in world.checkout.addresses.addresses(by)]


def defaults(world: FakeWorld, by: Any = ALICE) -> list[str]:
    return [a.label for a in world.checkout.addresses.addresses(by) if a.is_default]


def replace(world: FakeWorld, address_id: str, by: Any = ALICE, **fields: Any) -> SavedAddress:
    return world.checkout.addresses.replace(by, address_id, body(SavedAddressIn, fields))


def test_the_first_saved_address_becomes_the_default_and_later_ones_do_not(world: FakeWorld) -> None:
    home = add(world, "Home")
    assert home.is_default is True
    assert home.address == Address(line1="8 Garden Road", city="Shanghai", postcode="200000", lat=31.2304,
                                   lng=121.4737) and home.address_id.startswith("adr_")
    office = add(world, "Office", OFFICE)
    assert office.is_default is False
    assert office.address == Address(line1="1 Century Avenue", city="Shanghai")  # lat/lng are optional here
    assert labels(world) == ["Home", "Office"] and defaults(world) == ["Home"]
    default = world.checkout.addresses.default_for("alice")
    assert default is not None and default.address_id == home.address_id


def test_making_another_address_the_default_leaves_exactly_one_default(world: FakeWorld) -> None:
    add(world, "Home")
    office = add(world, "Office", OFFICE)
    add(world, "Gym", OFFICE)
    assert world.checkout.addresses.make_default(ALICE, office.address_id).is_default is True
    assert defaults(world) == ["Office"]
    world.checkout.addresses.make_default(ALICE, office.address_id)
    assert defaults(world) == ["Office"]


def test_saving_with_default_true_moves_the_default_to_the_new_address(world: FakeWorld) -> None:
    add(world, "Home")
    assert add(world, "Office", OFFICE, default=True).is_default is True
    assert defaults(world) == ["Office"]


def test_replacing_the_default_without_default_true_keeps_it_the_default(world: FakeWorld) -> None:
    home = add(world, "Home")
    replaced = replace(world, home.address_id, label="Flat", address=OFFICE)
    assert replaced.is_default is True and replaced.address == Address(line1="1 Century Avenue", city="Shanghai")
    assert replaced.created_at == home.created_at
    assert defaults(world) == ["Flat"]


def test_replacing_another_address_with_default_false_never_clears_the_default(world: FakeWorld) -> None:
    add(world, "Home")
    office = add(world, "Office", OFFICE)
    assert replace(world, office.address_id, label="Work", address=OFFICE, default=False).is_default is False
    assert defaults(world) == ["Home"]


def test_a_deleted_default_is_not_replaced_behind_the_customers_back(world: FakeWorld) -> None:
    home = add(world, "Home")
    office = add(world, "Office", OFFICE)
    world.checkout.addresses.delete(ALICE, home.address_id)
    assert labels(world) == ["Office"] and defaults(world) == []
    assert world.checkout.addresses.default_for("alice") is None
    with pytest.raises(NotFound):
        world.checkout.addresses.delete(ALICE, home.address_id)
    world.checkout.addresses.make_default(ALICE, office.address_id)
    assert defaults(world) == ["Office"]


def test_a_customer_saves_at_most_20_addresses(world: FakeWorld) -> None:
    for n in range(MAX_ADDRESSES):
        add(world, f"Place {n}", OFFICE)
    with pytest.raises(ValidationFailed):
        add(world, "One more", OFFICE)
    assert len(labels(world)) == 20 and defaults(world) == ["Place 0"]
    assert add(world, "Bob's first", by=BOB).is_default is True  # the limit is per customer


def test_another_customers_address_is_not_found_and_stays_as_it_was(world: FakeWorld) -> None:
    bobs = add(world, "Bob's home", by=BOB)
    add(world, "Alice's home")
    book = world.checkout.addresses
    for attempt in (lambda: replace(world, bobs.address_id, label="Mine now", address=OFFICE),
                    lambda: book.make_default(ALICE, bobs.address_id),
                    lambda: book.delete(ALICE, bobs.address_id)):
        with pytest.raises(NotFound):
            attempt()
    assert labels(world) == ["Alice's home"]
    assert book.addresses(BOB) == [bobs]


def test_the_address_book_is_for_customers_only(world: FakeWorld) -> None:
    supplier = caller("supplier", "sup-user-1", supplier_id="s_books")
    with pytest.raises(Forbidden):
        world.checkout.addresses.addresses(supplier)
    with pytest.raises(Forbidden):
        add(world, "Depot", by=supplier)

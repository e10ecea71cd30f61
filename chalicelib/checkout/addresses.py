"""A customer's saved shipping addresses, and the default one that pre-fills the checkout form.

* At most `MAX_ADDRESSES` per customer (one more is a 422).
* The first address a customer saves becomes the default by itself; `default: true` on a save
  (or `make_default`) moves the default there, clearing it everywhere else in one transaction.
* `default: false` never clears a default: the default moves only by choosing another address.
* Deleting the default address leaves the customer with **no** default (no other address is
  promoted behind their back): the checkout form then comes without a pre-filled address until
  the customer chooses one.
* Another customer's address is `404`, like one that does not exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.auth.principal import Principal, Role
from chalicelib.checkout.model import SavedAddress
from chalicelib.checkout.ports import AddressStore
from chalicelib.core.clock import Clock
from chalicelib.core.errors import FieldError, NotFound, ValidationFailed
from chalicelib.core.ids import new_id

if TYPE_CHECKING:  # request bodies: only named here, so that alarms and pushes import none
    from chalicelib.checkout.supplier_schemas import SavedAddressIn

MAX_ADDRESSES = 20
"""A customer's saved addresses are few: one query reads them all, one transaction writes them all."""


class AddressBook:
    def __init__(self, store: AddressStore, clock: Clock) -> None:
        self.store = store
        self._clock = clock

    def addresses(self, caller: Principal) -> list[SavedAddress]:
        """The caller's saved addresses, oldest first."""
        caller.require(Role.CUSTOMER)
        return self._of(caller.sub)

    def add(self, caller: Principal, body: SavedAddressIn) -> SavedAddress:
        """Save a new address (concurrent saves may pass the limit by a few: it is a courtesy cap)."""
        caller.require(Role.CUSTOMER)
        existing = self._of(caller.sub)
        if len(existing) >= MAX_ADDRESSES:
            raise ValidationFailed(f"at most {MAX_ADDRESSES} saved addresses",
                                   [FieldError("body", f"{MAX_ADDRESSES} addresses are saved already: delete one")])
        first = not existing
        saved = SavedAddress(customer_id=caller.sub, address_id=new_id("adr"), label=body.label,
                             address=body.address.to_address(), is_default=first, created_at=self._clock.now_ms())
        created = self.store.add(saved)
        if body.default and not first:
            return self._make_default(caller.sub, created.address_id)
        return created

    def replace(self, caller: Principal, address_id: str, body: SavedAddressIn) -> SavedAddress:
        """Replace the label and address; `default: true` also makes it the default."""
        caller.require(Role.CUSTOMER)
        current = self.store.get(caller.sub, address_id)
        if current is None:
            raise NotFound(f"address {address_id} not found")
        changed = SavedAddress(caller.sub, address_id, body.label, body.address.to_address(), current.is_default,
                               current.created_at)
        replaced = self.store.put(changed)
        if replaced is None:
            raise NotFound(f"address {address_id} not found")
        if body.default and not replaced.is_default:
            return self._make_default(caller.sub, address_id)
        return replaced

    def delete(self, caller: Principal, address_id: str) -> None:
        """Delete an address; if it was the default, the customer has none until they choose one."""
        caller.require(Role.CUSTOMER)
        if not self.store.delete(caller.sub, address_id):
            raise NotFound(f"address {address_id} not found")

    def make_default(self, caller: Principal, address_id: str) -> SavedAddress:
        caller.require(Role.CUSTOMER)
        return self._make_default(caller.sub, address_id)

    def default_for(self, customer_id: str) -> SavedAddress | None:
        """The address that pre-fills the checkout form, if the customer has a default."""
        return next((a for a in self._of(customer_id) if a.is_default), None)

    def _make_default(self, customer_id: str, address_id: str) -> SavedAddress:
        made = self.store.set_default(customer_id, address_id)
        if made is None:
            raise NotFound(f"address {address_id} not found")
        return made

    def _of(self, customer_id: str) -> list[SavedAddress]:
        return sorted(self.store.list(customer_id), key=lambda a: (a.created_at, a.address_id))

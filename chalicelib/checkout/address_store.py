"""Customers' saved shipping addresses in DynamoDB: few per customer (the address book caps them),
so one query reads them all and one transaction rewrites the default flag on all of them. Writes
that lost to another writer (a concurrent `set_default`, a delete) re-read and try again
(`retry_contended`)."""

from __future__ import annotations

from pynamodb.exceptions import DeleteError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.checkout.model import SavedAddress
from chalicelib.checkout.tables import AddressModel
from chalicelib.core.contention import retry_contended
from chalicelib.core.errors import ConcurrentUpdate
from chalicelib.persistence.entity_store import connection_of, get_or_none
from chalicelib.persistence.tables import AddressMap
from chalicelib.persistence.writes import contended, lost_condition, raise_if_contended, save_new


class DynamoAddressStore:
    def list(self, customer_id: str) -> list[SavedAddress]:
        """Every saved address of a customer (at most `MAX_ADDRESSES`, so one query), oldest id first."""
        return [_saved(item) for item in AddressModel.query(customer_id, consistent_read=True)]

    def get(self, customer_id: str, address_id: str) -> SavedAddress | None:
        item = get_or_none(AddressModel, customer_id, address_id, consistent=True)
        return None if item is None else _saved(item)

    def add(self, saved: SavedAddress) -> SavedAddress:
        """Create-only, with `is_default` as given (`AlreadyExists` if the id is taken)."""
        item = AddressModel(customer_id=saved.customer_id, address_id=saved.address_id, label=saved.label,
                            address=AddressMap.of(saved.address), is_default=saved.is_default,
                            created_at=saved.created_at)
        save_new(item, saved.address_id)
        return _saved(item)

    def put(self, saved: SavedAddress) -> SavedAddress | None:
        """Replace the label and address of an existing address (None if there is none), leaving
        `is_default` alone: that moves only through `set_default`, so a replace never undoes a
        concurrent default change."""
        m = AddressModel
        item = m(customer_id=saved.customer_id, address_id=saved.address_id)

        def attempt() -> SavedAddress | None:
            try:
                item.update(actions=[m.label.set(saved.label), m.address.set(AddressMap.of(saved.address))],
                            condition=m.address_id.exists())
            except UpdateError as exc:
                if lost_condition(exc):
                    return None
                raise_if_contended(exc, f"address {saved.address_id}")  # a `set_default` held it
                raise
            return _saved(item)

        return retry_contended(attempt)

    def delete(self, customer_id: str, address_id: str) -> bool:
        """Whether there was such an address to delete."""

        def attempt() -> bool:
            try:
                AddressModel(customer_id=customer_id, address_id=address_id).delete(
                    condition=AddressModel.address_id.exists())
            except DeleteError as exc:
                if lost_condition(exc):
                    return False
                raise_if_contended(exc, f"address {address_id}")
                raise
            return True

        return retry_contended(attempt)

    def set_default(self, customer_id: str, address_id: str) -> SavedAddress | None:
        """Make this address the default and every other one not, in one transaction (None if there
        is no such address). Every other address is written, not only the current default: two
        concurrent calls then cannot both leave theirs set, because each writes the whole set.
        A concurrent delete cancels the transaction (each write requires its item), which re-reads."""
        m = AddressModel

        def attempt() -> SavedAddress | None:
            addresses = self.list(customer_id)
            target = next((a for a in addresses if a.address_id == address_id), None)
            if target is None:
                return None
            try:
                with TransactWrite(connection=connection_of(m)) as transaction:
                    for saved in addresses:
                        transaction.update(m(customer_id=customer_id, address_id=saved.address_id),
                                           actions=[m.is_default.set(saved.address_id == address_id)],
                                           condition=m.address_id.exists())
            except TransactWriteError as exc:
                if lost_condition(exc) or contended(exc):
                    raise ConcurrentUpdate(f"address {address_id}") from exc
                raise
            return SavedAddress(target.customer_id, target.address_id, target.label, target.address, True,
                                target.created_at)

        return retry_contended(attempt)

def _saved(item: AddressModel) -> SavedAddress:
    return SavedAddress(customer_id=item.customer_id, address_id=item.address_id, label=item.label,
                        address=item.address.to_address(), is_default=bool(item.is_default),
                        created_at=int(item.created_at))

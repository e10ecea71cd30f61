"""Bookings in DynamoDB, with the slot counts that keep a slot's capacity.

A booking of a slot with a capacity is written in one transaction with a conditional add to the
slot's count (`booked < capacity`), so of concurrent picks of a slot's last place exactly one
commits; the other is cancelled as a whole and learns the slot is full. A cancel gives the place
back in the same way (no condition: a release is never refused).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.core.errors import AlreadyExists, ConcurrentUpdate
from chalicelib.groupbuy.booking import Booking, BookingHistoryEntry, BookingStatus, SlotReleased, SlotTaken
from chalicelib.groupbuy.ports import SlotFullError
from chalicelib.groupbuy.tables import BookingModel, SlotCountModel
from chalicelib.persistence.entity_store import PynamoEntityStore
from chalicelib.persistence.mapping import int_or_none
from chalicelib.persistence.tables import HistoryMap


class DynamoBookingStore(PynamoEntityStore[Booking, BookingModel]):
    model = BookingModel

    def add_write(self, transaction: TransactWrite, record: object) -> None:
        match record:
            case SlotTaken(shop_id=shop_id, slot_id=slot_id, capacity=capacity):
                room = SlotCountModel.booked.does_not_exist() | (SlotCountModel.booked < capacity)
                transaction.update(SlotCountModel(shop_id, slot_id), actions=[SlotCountModel.booked.add(1)],
                                   condition=room)
            case SlotReleased(shop_id=shop_id, slot_id=slot_id):
                transaction.update(SlotCountModel(shop_id, slot_id), actions=[SlotCountModel.booked.add(-1)])
            case _:
                super().add_write(transaction, record)

    def insert(self, entity: Booking, alarm_set_at: int | None, writes: tuple[object, ...] = ()) -> Booking:
        try:
            return super().insert(entity, alarm_set_at, writes)
        except AlreadyExists as exc:
            _raise_if_full(exc, writes)
            raise

    def commit(self, entity: Booking, expected_version: int, alarm_set_at: int | None,
               writes: tuple[object, ...] = ()) -> Booking:
        try:
            return super().commit(entity, expected_version, alarm_set_at, writes)
        except ConcurrentUpdate as exc:
            _raise_if_full(exc, writes)
            raise

    def to_item(self, entity: Booking) -> BookingModel:
        return BookingModel(
            id=entity.id, voucher_id=entity.voucher_id, customer_id=entity.customer_id, shop_id=entity.shop_id,
            slot_id=entity.slot_id, slot_start=entity.slot_start, slot_end=entity.slot_end, lead_ms=entity.lead_ms,
            interval_ms=entity.interval_ms, status=entity.status.value, created_at=entity.created_at,
            next_update_at=entity.next_update_at, last_update_at=entity.last_update_at, capacity=entity.capacity,
            history=[HistoryMap(at=h.at, status=h.status.value, cause=h.cause) for h in entity.history])

    def to_entity(self, item: BookingModel) -> Booking:
        return Booking(
            id=item.id, voucher_id=item.voucher_id, customer_id=item.customer_id, shop_id=item.shop_id,
            slot_id=item.slot_id, slot_start=int(item.slot_start), slot_end=int(item.slot_end),
            lead_ms=int(item.lead_ms), interval_ms=int(item.interval_ms), status=BookingStatus(item.status),
            created_at=int(item.created_at), next_update_at=int_or_none(item.next_update_at),
            last_update_at=int_or_none(item.last_update_at), capacity=int_or_none(item.capacity),
            history=tuple(BookingHistoryEntry(int(h.at), BookingStatus(h.status), h.cause) for h in item.history or []),
            version=int(item.version or 0))

    def for_voucher(self, voucher_id: str) -> list[Booking]:
        return [self.to_entity(item) for item in BookingModel.by_voucher.query(voucher_id, limit=100)]

    def booked_counts(self, shop_id: str, slot_ids: Iterable[str]) -> Mapping[str, int]:
        keys = [(shop_id, slot_id) for slot_id in dict.fromkeys(slot_ids)]
        return {item.slot_id: int(item.booked or 0) for item in SlotCountModel.batch_get(keys, consistent_read=True)}


def _raise_if_full(exc: Exception, writes: tuple[object, ...]) -> None:
    cause = exc.__cause__
    if not isinstance(cause, TransactWriteError):
        return
    # Reasons come in the transaction's order: the booking first, then `writes`.
    reasons = list(cause.cancellation_reasons or [])
    if reasons and reasons[0] is not None and reasons[0].code == "ConditionalCheckFailed":
        return
    if any(isinstance(record, SlotTaken) and reason is not None and reason.code == "ConditionalCheckFailed"
           for record, reason in zip(writes, reasons[1:], strict=False)):
        raise SlotFullError() from cause

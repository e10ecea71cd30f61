"""Calls and the merchants' call settings in DynamoDB."""

from __future__ import annotations

from typing import Any

from chalicelib.calls.call import Call, CallHistory, CallStatus, DetailValue
from chalicelib.calls.tables import CallModel, CallSettingsModel
from chalicelib.persistence.entity_store import PynamoEntityStore, get_or_none
from chalicelib.persistence.mapping import int_or_none, plain
from chalicelib.persistence.tables import HistoryMap


class DynamoCallStore(PynamoEntityStore[Call, CallModel]):
    model = CallModel

    def to_item(self, entity: Call) -> CallModel:
        live = entity.live
        return CallModel(
            id=entity.id, customer_id=entity.customer_id, merchant_id=entity.merchant_id, status=entity.status.value,
            customer_connection=entity.customer_connection, merchant_connection=entity.merchant_connection,
            answered_by=entity.answered_by, ring_deadline=entity.ring_deadline,
            presence_check_ms=entity.presence_check_ms, created_at=entity.created_at, updated_at=entity.updated_at,
            answered_at=entity.answered_at, ended_at=entity.ended_at, end_cause=entity.end_cause,
            next_presence_check=entity.next_presence_check, absent_since=entity.absent_since,
            details={name: {"value": d.value, "version": d.version} for name, d in entity.details.items()},
            details_requested_at=entity.details_requested_at, details_submitted_at=entity.details_submitted_at,
            live_merchant_id=entity.merchant_id if live else None,
            live_customer_id=entity.customer_id if live else None,
            history=[HistoryMap(at=h.at, status=h.status, cause=h.cause) for h in entity.history])

    def to_entity(self, item: CallModel) -> Call:
        details: dict[str, Any] = plain(item.details) or {}
        return Call(
            id=item.id, customer_id=item.customer_id, merchant_id=item.merchant_id, status=CallStatus(item.status),
            customer_connection=item.customer_connection, merchant_connection=item.merchant_connection,
            answered_by=item.answered_by, ring_deadline=int(item.ring_deadline),
            presence_check_ms=int(item.presence_check_ms), created_at=int(item.created_at),
            updated_at=int(item.updated_at), answered_at=int_or_none(item.answered_at),
            ended_at=int_or_none(item.ended_at), end_cause=item.end_cause,
            next_presence_check=int_or_none(item.next_presence_check), absent_since=int_or_none(item.absent_since),
            details={str(name): DetailValue(int(d["version"]), str(d["value"])) for name, d in details.items()},
            details_requested_at=int_or_none(item.details_requested_at),
            details_submitted_at=int_or_none(item.details_submitted_at),
            history=tuple(CallHistory(int(h.at), h.status, h.cause) for h in item.history or []),
            version=int(item.version or 0))

    def live_for_merchant(self, merchant_id: str, limit: int) -> list[Call]:
        return [self.to_entity(item) for item in CallModel.live_by_merchant.query(
            merchant_id, scan_index_forward=False, limit=limit)]

    def live_for_customer(self, customer_id: str, limit: int) -> list[Call]:
        return [self.to_entity(item) for item in CallModel.live_by_customer.query(
            customer_id, scan_index_forward=False, limit=limit)]


class DynamoCallSettingsStore:
    def ring_s(self, merchant_id: str) -> int | None:
        item = get_or_none(CallSettingsModel, merchant_id)
        return None if item is None else int(item.ring_s)

    def save_ring_s(self, merchant_id: str, ring_s: int, now_ms: int) -> None:
        CallSettingsModel(merchant_id, ring_s=ring_s, updated_at=now_ms).save()

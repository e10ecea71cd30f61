"""Payment mismatches in DynamoDB (`ontime-payment_mismatches`), one item per provider payment."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from chalicelib.payments.mismatches import RecordedMismatch
from chalicelib.persistence.paging import Page, decode_token, run_page
from chalicelib.persistence.tables import StageModel


class PaymentMismatchModel(StageModel):
    class Meta:
        table_name = "payment_mismatches"

    payment_id = UnicodeAttribute(hash_key=True)
    reference = UnicodeAttribute()
    event_id = UnicodeAttribute()
    outcome = UnicodeAttribute()
    amount = NumberAttribute()
    currency = UnicodeAttribute()
    expected_amount = NumberAttribute(null=True)
    expected_currency = UnicodeAttribute(null=True)
    first_received_at = NumberAttribute()
    last_received_at = NumberAttribute()
    deliveries = NumberAttribute()


class DynamoMismatchLog:
    def record(self, mismatch: RecordedMismatch) -> RecordedMismatch:
        m = PaymentMismatchModel
        # One UpdateItem, whoever comes first: a retry (or a concurrent delivery) adds to the count
        # and keeps the first moment, so the record never depends on a read before the write.
        item = m(mismatch.payment_id)
        item.update(actions=[
            m.reference.set(mismatch.reference), m.event_id.set(mismatch.event_id), m.outcome.set(mismatch.outcome),
            m.amount.set(mismatch.amount), m.currency.set(mismatch.currency),
            *([m.expected_amount.set(mismatch.expected_amount)] if mismatch.expected_amount is not None else []),
            *([m.expected_currency.set(mismatch.expected_currency)] if mismatch.expected_currency else []),
            m.first_received_at.set(m.first_received_at | mismatch.first_received_at),
            m.last_received_at.set(mismatch.last_received_at), m.deliveries.add(1)])
        return _mismatch(item)

    def page(self, limit: int, token: str | None) -> Page[RecordedMismatch]:
        """Every mismatch (ops): the table holds nothing else, so a scan reads only what it lists."""
        return run_page(PaymentMismatchModel.scan(limit=limit, last_evaluated_key=decode_token(token)), _mismatch)


def _mismatch(item: PaymentMismatchModel) -> RecordedMismatch:
    return RecordedMismatch(
        item.payment_id, item.reference, item.event_id, item.outcome, int(item.amount), item.currency,
        None if item.expected_amount is None else int(item.expected_amount), item.expected_currency,
        int(item.first_received_at), int(item.last_received_at), int(item.deliveries))

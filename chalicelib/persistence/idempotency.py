"""Idempotency records in DynamoDB, claimed with one conditional put.

    first request  ──claim (key absent)──▶ in_progress ──produce──▶ completed(status, body)
    retry, same body ──claim fails──▶ completed? → replay the stored response
    retry while first still runs ──▶ in_progress and fresh → 409 request-in-progress
    first request crashed ──▶ in_progress but older than the timeout → the retry takes it over

A claim whose answer was lost is sent again by botocore and refused by its own record: its
`claim_token` tells it from another request's claim (`chalicelib/persistence/writes.py`).
"""

from __future__ import annotations

from datetime import timedelta

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError

from chalicelib.core.contention import retry_contended
from chalicelib.core.errors import ConcurrentUpdate
from chalicelib.core.timefmt import to_datetime
from chalicelib.idempotency import IdempotencyRecord
from chalicelib.persistence.entity_store import get_or_none
from chalicelib.persistence.tables import StageModel
from chalicelib.persistence.writes import lost_condition, retried, write_token

RECORD_TTL_S = 24 * 3600


class IdempotencyModel(StageModel):
    class Meta:
        table_name = "idempotency"

    key = UnicodeAttribute(hash_key=True)
    request_hash = UnicodeAttribute()
    state = UnicodeAttribute()  # in_progress | completed
    status_code = NumberAttribute(null=True)
    response_body = UnicodeAttribute(null=True)
    started_at = NumberAttribute()
    expires_at = TTLAttribute()
    claim_token = UnicodeAttribute(null=True)


class DynamoIdempotencyStore:
    def claim(self, key: str, request_hash: str, now_ms: int, stale_before_ms: int) -> IdempotencyRecord | None:
        """Claim the key for this request; return the existing record if someone holds it. The
        holder may release it between our refused claim and our read: then we claim it again."""
        return retry_contended(lambda: self._claim(key, request_hash, now_ms, stale_before_ms))

    def _claim(self, key: str, request_hash: str, now_ms: int, stale_before_ms: int) -> IdempotencyRecord | None:
        token = write_token()
        item = IdempotencyModel(key=key, request_hash=request_hash, state="in_progress", started_at=now_ms,
                                expires_at=to_datetime(now_ms) + timedelta(seconds=RECORD_TTL_S), claim_token=token)
        taken_over = (IdempotencyModel.state == "in_progress") & (IdempotencyModel.started_at < stale_before_ms) & (
            IdempotencyModel.request_hash == request_hash)
        try:
            item.save(condition=IdempotencyModel.key.does_not_exist() | taken_over)
            return None
        except PutError as exc:
            if not lost_condition(exc):
                raise
            own_retry = retried(exc)
        existing = get_or_none(IdempotencyModel, key, consistent=True)
        if existing is None:
            raise ConcurrentUpdate(f"idempotency key {key}")  # released meanwhile: claim again
        if own_retry and existing.claim_token == token:
            return None  # this claim's own retry met it: claimed
        return IdempotencyRecord(existing.request_hash, existing.state == "completed", int(existing.started_at),
                                 None if existing.status_code is None else int(existing.status_code),
                                 existing.response_body)

    def complete(self, key: str, request_hash: str, started_at: int, status_code: int, response_body: str) -> None:
        # A put of the whole record rather than an update: this request holds the claim, and a
        # put is the cheaper write (no expression to evaluate).
        IdempotencyModel(key=key, request_hash=request_hash, state="completed", started_at=started_at,
                         status_code=status_code, response_body=response_body,
                         expires_at=to_datetime(started_at) + timedelta(seconds=RECORD_TTL_S)).save()

    def release(self, key: str) -> None:
        IdempotencyModel(key=key).delete()

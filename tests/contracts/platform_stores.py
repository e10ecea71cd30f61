"""The platform's stores: `IdempotencyStore` (driven through `Idempotency`: claim, replay, a
different body, in progress, takeover), the push layer's `ConnectionRegistry` and `RateLimiter`,
and installer dispatch's `PhotoStore`."""

from __future__ import annotations

from typing import Any, cast

import pytest

from chalicelib.core.clock import FakeClock
from chalicelib.core.errors import ConflictingRequest, IdempotencyKeyReused, MalformedRequest, ValidationFailed
from chalicelib.dispatch.photos import PhotoStore, StoredPhoto, photo_key, photo_prefix
from chalicelib.idempotency import IN_PROGRESS_TIMEOUT_MS, Answer, Idempotency, IdempotencyStore, request_hash
from chalicelib.push import party
from chalicelib.push.ports import ConnectionRegistry, Owner, RateLimiter, Terminal
from chalicelib.push.rate_limit import SharedBudget
from tests.builders import T0

BODY = {"merchant_id": "m1", "items": [{"product_id": "p1", "quantity": 2}]}
SCOPE = "u1:POST /orders"


class Producer:
    """Counts how often the guarded work really ran."""

    def __init__(self) -> None:
        self.runs = 0

    def __call__(self) -> tuple[int, dict[str, Any]]:
        self.runs += 1
        return 201, {"order_id": f"ord_{self.runs}"}


class IdempotencyStoreContract:
    @pytest.fixture
    def store(self) -> IdempotencyStore:
        raise NotImplementedError("a subclass provides the store under test")

    @pytest.fixture
    def clock(self) -> FakeClock:
        return FakeClock(T0)

    @pytest.fixture
    def idempotency(self, store: IdempotencyStore, clock: FakeClock) -> Idempotency:
        return Idempotency(store, clock)

    def test_a_retry_with_the_same_key_and_body_replays_the_first_response(self, idempotency: Idempotency) -> None:
        produce = Producer()
        first = idempotency.run(SCOPE, "key-1", BODY, produce)
        again = idempotency.run(SCOPE, "key-1", dict(reversed(list(BODY.items()))), produce)
        assert first == Answer(201, {"order_id": "ord_1"}, replayed=False)
        assert again == Answer(201, {"order_id": "ord_1"}, replayed=True) and produce.runs == 1

    def test_the_same_key_with_another_body_is_refused(self, idempotency: Idempotency) -> None:
        produce = Producer()
        idempotency.run(SCOPE, "key-1", BODY, produce)
        with pytest.raises(IdempotencyKeyReused):
            idempotency.run(SCOPE, "key-1", {**BODY, "note": "changed"}, produce)
        assert produce.runs == 1

    def test_keys_are_scoped_so_two_callers_may_use_the_same_one(self, idempotency: Idempotency) -> None:
        produce = Producer()
        idempotency.run(SCOPE, "key-1", BODY, produce)
        idempotency.run("u2:POST /orders", "key-1", BODY, produce)
        assert produce.runs == 2

    def test_without_a_key_every_request_runs(self, idempotency: Idempotency) -> None:
        produce = Producer()
        answers = [idempotency.run(SCOPE, None, BODY, produce) for _ in range(2)]
        assert produce.runs == 2 and not any(a.replayed for a in answers)

    @pytest.mark.parametrize("key", ["", "   ", "k" * 256])
    def test_an_empty_or_overlong_key_is_malformed(self, idempotency: Idempotency, key: str) -> None:
        with pytest.raises(MalformedRequest):
            idempotency.run(SCOPE, key, BODY, Producer())

    def test_a_refused_request_is_not_remembered_so_a_corrected_retry_runs(self, idempotency: Idempotency) -> None:
        def refuse() -> tuple[int, dict[str, Any]]:
            raise ValidationFailed("store is closed")

        with pytest.raises(ValidationFailed):
            idempotency.run(SCOPE, "key-1", BODY, refuse)
        produce = Producer()
        assert idempotency.run(SCOPE, "key-1", BODY, produce) == Answer(201, {"order_id": "ord_1"})

    def test_a_retry_while_the_first_request_runs_is_a_conflict(
            self, store: IdempotencyStore, idempotency: Idempotency, clock: FakeClock) -> None:
        assert store.claim(f"{SCOPE}:key-1", request_hash(BODY), T0, T0 - IN_PROGRESS_TIMEOUT_MS) is None
        clock.advance(IN_PROGRESS_TIMEOUT_MS / 1000 - 1)
        produce = Producer()
        with pytest.raises(ConflictingRequest):
            idempotency.run(SCOPE, "key-1", BODY, produce)
        assert produce.runs == 0

    def test_a_request_that_crashed_is_taken_over_after_the_timeout(
            self, store: IdempotencyStore, idempotency: Idempotency, clock: FakeClock) -> None:
        store.claim(f"{SCOPE}:key-1", request_hash(BODY), T0, T0 - IN_PROGRESS_TIMEOUT_MS)
        clock.advance(IN_PROGRESS_TIMEOUT_MS / 1000 + 1)
        produce = Producer()
        assert idempotency.run(SCOPE, "key-1", BODY, produce) == Answer(201, {"order_id": "ord_1"})
        assert idempotency.run(SCOPE, "key-1", BODY, produce) == Answer(201, {"order_id": "ord_1"}, replayed=True)
        assert produce.runs == 1

    def test_a_stale_claim_is_not_taken_over_by_a_different_body(
            self, store: IdempotencyStore, idempotency: Idempotency, clock: FakeClock) -> None:
        store.claim(f"{SCOPE}:key-1", request_hash(BODY), T0, T0 - IN_PROGRESS_TIMEOUT_MS)
        clock.advance(IN_PROGRESS_TIMEOUT_MS / 1000 + 1)
        with pytest.raises(IdempotencyKeyReused):
            idempotency.run(SCOPE, "key-1", {"other": True}, Producer())

    def test_claiming_returns_the_record_held_by_someone_else(self, store: IdempotencyStore) -> None:
        assert store.claim("k", "hash-a", T0, T0 - 1) is None
        store.complete("k", "hash-a", T0, 201, '{"order_id": "ord_1"}')
        held = store.claim("k", "hash-a", T0 + 5, T0 + 4)
        assert held is not None and (held.completed, held.status_code, held.response_body, held.started_at) == (
            True, 201, '{"order_id": "ord_1"}', T0)

    def test_a_completed_record_is_never_taken_over_and_a_released_key_is_free_again(
            self, store: IdempotencyStore) -> None:
        store.claim("k", "hash-a", T0, T0 - 1)
        store.complete("k", "hash-a", T0, 201, "{}")
        held = store.claim("k", "hash-a", T0 + 10**9, T0 + 10**9)
        assert held is not None and held.completed
        store.release("k")
        store.release("never-claimed")
        assert store.claim("k", "hash-b", T0 + 1, T0) is None


SHOP = party.merchant("m1")
OTHER_SHOP = party.merchant("m2")


class ConnectionRegistryContract:
    @pytest.fixture
    def registry(self) -> ConnectionRegistry:
        raise NotImplementedError("a subclass provides the registry under test")

    def test_connections_are_found_by_party(self, registry: ConnectionRegistry) -> None:
        registry.register("c2", SHOP, "staff-2", T0 + 1)
        registry.register("c1", SHOP, "staff-1", T0)
        registry.register("c3", OTHER_SHOP, "staff-3", T0)
        registry.register("c4", party.customer("u1"), "u1", T0)
        assert registry.connections_of(SHOP) == ["c1", "c2"]
        assert registry.terminals_of(SHOP) == [Terminal("c1", T0), Terminal("c2", T0 + 1)]
        assert registry.connections_of(party.customer("u1")) == ["c4"]
        assert registry.connections_of(party.customer("u2")) == []
        assert registry.party_of("c3") == OTHER_SHOP and registry.party_of("nope") is None
        assert registry.party_of("c4") == party.customer("u1")

    def test_registering_a_connection_again_moves_it(self, registry: ConnectionRegistry) -> None:
        registry.register("c1", SHOP, "staff-1", T0)
        registry.register("c1", party.OPS, "ops-1", T0 + 5)
        assert registry.connections_of(SHOP) == []
        assert registry.terminals_of(party.OPS) == [Terminal("c1", T0 + 5)] and registry.party_of("c1") == party.OPS

    def test_unregistering_forgets_one_connection_and_tolerates_repeats(self, registry: ConnectionRegistry) -> None:
        registry.register("c1", SHOP, "staff-1", T0)
        registry.register("c2", SHOP, "staff-2", T0)
        registry.unregister("c1")
        registry.unregister("c1")
        registry.unregister("never-registered")
        assert registry.connections_of(SHOP) == ["c2"] and registry.party_of("c1") is None

    def test_a_connections_owner_is_its_party_and_the_user_who_opened_it(self, registry: ConnectionRegistry) -> None:
        registry.register("c1", SHOP, "staff-1", T0)
        registry.register("c2", party.customer("u1"), "u1", T0)
        assert registry.owner_of("c1") == Owner(SHOP, "staff-1")
        assert registry.owner_of("c2") == Owner(party.customer("u1"), "u1")
        registry.unregister("c1")
        assert registry.owner_of("c1") is None and registry.owner_of("never-registered") is None

    def test_a_connection_registered_again_belongs_to_its_new_owner(self, registry: ConnectionRegistry) -> None:
        registry.register("c1", SHOP, "staff-1", T0)
        registry.register("c1", party.OPS, "ops-1", T0 + 5)
        assert registry.owner_of("c1") == Owner(party.OPS, "ops-1")


LIMIT, WINDOW_S = 3, 5
WINDOW_START_MS = 1_795_000_000_000
"""A multiple of the window: the window [WINDOW_START_MS, WINDOW_START_MS + 5 s)."""


class RateLimiterContract:
    """`LIMIT` package actions per connection in each fixed `WINDOW_S` window."""

    @pytest.fixture
    def limiter(self) -> RateLimiter:
        raise NotImplementedError("a subclass provides a limiter of LIMIT actions per WINDOW_S seconds")

    def test_a_connection_may_act_limit_times_in_a_window_then_waits_for_the_next(self, limiter: RateLimiter) -> None:
        assert [limiter.allow("c1", WINDOW_START_MS + n) for n in range(LIMIT)] == [0] * LIMIT
        assert limiter.allow("c1", WINDOW_START_MS + 1_200) == WINDOW_S - 1
        assert limiter.allow("c1", WINDOW_START_MS + 4_999) == 1
        assert limiter.allow("c1", WINDOW_START_MS + WINDOW_S * 1000) == 0

    def test_each_connection_has_its_own_budget(self, limiter: RateLimiter) -> None:
        for _ in range(LIMIT):
            limiter.allow("c1", WINDOW_START_MS)
        assert limiter.allow("c1", WINDOW_START_MS) > 0
        assert limiter.allow("c2", WINDOW_START_MS) == 0

    def test_what_containers_admitted_adds_up_in_the_shared_count(self, limiter: RateLimiter) -> None:
        shared = cast(SharedBudget, limiter)
        start_s = WINDOW_START_MS // 1000
        assert shared.spend("c1", start_s, start_s + WINDOW_S, 10) == 10
        assert shared.spend("c1", start_s, start_s + WINDOW_S, 4) == 14
        assert shared.spend("c1", start_s + WINDOW_S, start_s + 2 * WINDOW_S, 3) == 3  # the next window's own
        assert shared.spend("c2", start_s, start_s + WINDOW_S, 1) == 1

    def test_a_refused_action_spends_nothing(self, limiter: RateLimiter) -> None:
        for _ in range(LIMIT + 5):
            limiter.allow("c1", WINDOW_START_MS)
        later = WINDOW_START_MS + WINDOW_S * 1000
        assert [limiter.allow("c1", later) for _ in range(LIMIT + 1)] == [0] * LIMIT + [WINDOW_S]


class PhotoStoreContract:
    """`upload` is what the installer app does with the presigned POST (S3's part, not the port's)."""

    @pytest.fixture
    def photos(self) -> PhotoStore:
        raise NotImplementedError("a subclass provides the store under test")

    def upload(self, photos: PhotoStore, key: str, body: bytes, content_type: str) -> None:
        raise NotImplementedError("a subclass puts the object where the presigned POST says")

    def test_a_presigned_upload_names_its_key_and_content_type(self, photos: PhotoStore) -> None:
        key = photo_key("ins_1", "ph_1", "image/png")
        post = photos.presign_upload(key, "image/png", 1024, 900)
        assert post["url"].startswith("http") and post["fields"]["key"] == key == "installations/ins_1/ph_1.png"
        assert post["fields"]["Content-Type"] == "image/png"

    def test_uploaded_photos_are_found_by_id_with_their_size_and_type_under_their_request_only(
            self, photos: PhotoStore) -> None:
        jpeg, png = photo_key("ins_1", "ph_1", "image/jpeg"), photo_key("ins_1", "ph_2", "image/png")
        self.upload(photos, jpeg, b"\xff\xd8jpeg", "image/jpeg")
        self.upload(photos, png, b"\x89PNG....", "image/png")
        self.upload(photos, photo_key("ins_10", "ph_3", "image/jpeg"), b"x", "image/jpeg")
        assert photos.uploaded(photo_prefix("ins_1")) == {
            "ph_1": StoredPhoto(jpeg, 6, "image/jpeg"), "ph_2": StoredPhoto(png, 8, "image/png")}
        assert photos.uploaded(photo_prefix("ins_2")) == {}

    def test_an_object_keeps_the_content_type_it_was_stored_with(self, photos: PhotoStore) -> None:
        key = photo_key("ins_1", "ph_1", "image/jpeg")
        self.upload(photos, key, b"<html>", "text/html")
        assert photos.uploaded(photo_prefix("ins_1")) == {"ph_1": StoredPhoto(key, 6, "text/html")}

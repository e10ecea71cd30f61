"""A DynamoDB write that committed but whose answer was lost (`dynamodb.lost_answer` of the local
stack's faults, here in front of moto) is sent again by botocore and meets itself: the stores tell
that from a writer that lost, so a create is created once and reported created, a transition is
made once and reported made, and an idempotency claim is claimed — while a real conflict is still
one."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from moto.core.models import botocore_stubber
from pynamodb.transactions import TransactWrite

from chalicelib.core.errors import AlreadyExists, ConcurrentUpdate
from chalicelib.groupbuy.video import Video, VideoStatus
from chalicelib.groupbuy.video_store import DynamoVideoStore
from chalicelib.orders.model import Order
from chalicelib.orders.store import DynamoOrderStore
from chalicelib.persistence.idempotency import DynamoIdempotencyStore, IdempotencyModel
from chalicelib.persistence.tables import shared_connection
from chalicelib.persistence.writes import save_new
from devstack.faults import AwsFaults, FaultPlan
from devstack.stats import running_handler
from tests.builders import T0, an_order


class LostAnswers:
    """The fault in front of the app's one DynamoDB client: the next `n` write attempts commit and
    their answers are lost (botocore then retries each, as it does a read timeout)."""

    def __init__(self) -> None:
        self.plan = FaultPlan()
        faults = AwsFaults(self.plan)
        faults.forward = lambda request: botocore_stubber(event_name="before-send", request=request)
        self.before_send = faults.before_send
        self.plan.arm()

    def lose(self, n: int = 1) -> None:
        self.plan.set({"dynamodb.lost_answer": 1.0}, limits={"dynamodb.lost_answer": n})

    @property
    def lost(self) -> int:
        return int(self.plan.as_json()["injected"].get("dynamodb.lost_answer", 0))


@pytest.fixture
def lost_answers(tables: dict[str, str]) -> Iterator[LostAnswers]:
    events = shared_connection("us-east-1").client.meta.events
    lost = LostAnswers()
    events.register_first("before-send.dynamodb", lost.before_send)
    token = running_handler.set("rest")
    try:
        yield lost
    finally:
        running_handler.reset(token)
        events.unregister("before-send.dynamodb", lost.before_send)


class OrderStoreWithRecords(DynamoOrderStore):
    """An entity store whose decisions write a create-only side record in the same transaction."""

    def add_write(self, transaction: TransactWrite, record: object) -> None:
        assert isinstance(record, IdempotencyModel)
        transaction.save(record, condition=IdempotencyModel.key.does_not_exist())


def a_record(key: str, request_hash: str = "h") -> IdempotencyModel:
    return IdempotencyModel(key=key, request_hash=request_hash, state="completed", started_at=T0,
                            expires_at=datetime(2026, 12, 2, tzinfo=UTC))


def test_a_create_whose_answer_was_lost_is_created_once_and_reported_created(lost_answers: LostAnswers) -> None:
    store = DynamoOrderStore(16)
    lost_answers.lose()
    created = store.insert(an_order(id="ord_lost"), T0)
    assert lost_answers.lost == 1
    assert created.version == 1
    stored = store.load("ord_lost")
    assert stored is not None and stored.entity.version == 1


def test_a_transition_whose_answer_was_lost_is_made_once_and_reported_made(lost_answers: LostAnswers) -> None:
    store = DynamoOrderStore(16)
    order = store.insert(an_order(id="ord_lost"), T0)
    lost_answers.lose()
    committed = store.commit(_touched(order), order.version, T0)
    assert lost_answers.lost == 1
    assert committed.version == order.version + 1
    stored = store.load("ord_lost")
    assert stored is not None and stored.entity.version == committed.version


def test_a_transaction_whose_answer_was_lost_is_made_once_and_reported_made(lost_answers: LostAnswers) -> None:
    store = OrderStoreWithRecords(16)
    order = store.insert(an_order(id="ord_lost"), T0)
    lost_answers.lose()
    committed = store.commit(_touched(order), order.version, T0, (a_record("ledger-1"),))
    assert lost_answers.lost == 1
    assert committed.version == order.version + 1
    assert IdempotencyModel.get("ledger-1").state == "completed"


def test_a_writer_that_really_lost_is_still_told_so(lost_answers: LostAnswers) -> None:
    store = DynamoOrderStore(16)
    order = store.insert(an_order(id="ord_taken"), T0)
    store.commit(_touched(order), order.version, T0)  # another writer won
    lost_answers.lose()
    with pytest.raises(ConcurrentUpdate):
        store.commit(_touched(order, note="mine"), order.version, T0)
    with pytest.raises(AlreadyExists):
        store.insert(an_order(id="ord_taken"), T0)


def test_an_idempotency_claim_whose_answer_was_lost_is_claimed_not_in_progress(lost_answers: LostAnswers) -> None:
    store = DynamoIdempotencyStore()
    lost_answers.lose()
    assert store.claim("k", "hash", 1_000, 0) is None
    assert lost_answers.lost == 1
    held = store.claim("k", "hash", 2_000, 0)  # the next request with the key finds it held
    assert held is not None and (held.started_at, held.completed) == (1_000, False)


def test_a_create_only_record_whose_answer_was_lost_is_created(lost_answers: LostAnswers) -> None:
    lost_answers.lose()
    save_new(a_record("coupon-1"), "coupon-1")
    assert lost_answers.lost == 1
    with pytest.raises(AlreadyExists):
        save_new(a_record("coupon-1", request_hash="other"), "coupon-1")


def _touched(order: Order, note: str = "noted") -> Order:
    return replace(order, note=note, updated_at=order.updated_at + 1)


def test_a_restock_whose_answer_was_lost_adds_its_units_once(lost_answers: LostAnswers) -> None:
    """An add is no conditional create nor a versioned commit: its own token fences its retry."""
    from chalicelib.checkout.supplier_store import DynamoSupplierStore
    from tests.contracts.supplier_store import SHIRT

    store = DynamoSupplierStore()
    store.put_product(SHIRT, create=True)
    lost_answers.lose()
    assert store.restock(SHIRT.supplier_id, SHIRT.product_id, 4).stock == SHIRT.stock + 4
    assert lost_answers.lost == 1
    product = store.get_product(SHIRT.supplier_id, SHIRT.product_id)
    assert product is not None and product.stock == SHIRT.stock + 4


def a_video() -> Video:
    return Video(id="vid_lost_answer", voucher_id="gbv_1", customer_id="u_1", deal_id="gbd_1", shop_id="m_1",
                 shop_name="Noodles", visit_date="2026-12-02", source_key="uploads/gbd_1/vid_lost_answer",
                 status=VideoStatus.AWAITING_UPLOAD, created_at=T0, updated_at=T0)


def test_a_video_claimed_for_processing_whose_answer_was_lost_is_claimed_not_lost(lost_answers: LostAnswers) -> None:
    store = DynamoVideoStore()
    created = store.create(a_video())
    lost_answers.lose()
    moved = store.move(created, frozenset({VideoStatus.AWAITING_UPLOAD}), {"status": VideoStatus.PROCESSING})
    assert lost_answers.lost == 1
    assert moved is not None and moved.status is VideoStatus.PROCESSING and moved.version == created.version + 1
    assert store.get(created.id) == moved


def test_a_video_created_whose_answer_was_lost_is_created_once(lost_answers: LostAnswers) -> None:
    store = DynamoVideoStore()
    lost_answers.lose()
    created = store.create(a_video())
    assert lost_answers.lost == 1 and store.get(created.id) == created
    with pytest.raises(AlreadyExists):
        store.create(a_video())


def test_a_video_move_that_lost_to_another_mover_is_still_refused(lost_answers: LostAnswers) -> None:
    store = DynamoVideoStore()
    created = store.create(a_video())
    assert store.move(created, frozenset({VideoStatus.AWAITING_UPLOAD}), {"status": VideoStatus.PROCESSING})
    assert store.move(created, frozenset({VideoStatus.AWAITING_UPLOAD}), {"status": VideoStatus.PROCESSING}) is None


def test_a_merchant_update_whose_answer_was_lost_is_saved_once_and_a_stale_one_still_refused(
        lost_answers: LostAnswers) -> None:
    from chalicelib.catalogue.store import DynamoCatalogueStore
    from tests.builders import a_merchant

    store = DynamoCatalogueStore()
    created = store.save_merchant(a_merchant(id="m_lost"), create=True)
    lost_answers.lose()
    saved = store.save_merchant(replace(created, paused=True), create=False)
    assert lost_answers.lost == 1
    assert saved.version == created.version + 1 and store.get_merchant("m_lost") == saved
    lost_answers.lose()
    with pytest.raises(ConcurrentUpdate):
        store.save_merchant(replace(created, name="Stale"), create=False)  # from the version before


def test_a_deal_and_shop_settings_saved_whose_answers_were_lost_are_saved_once(lost_answers: LostAnswers) -> None:
    from chalicelib.groupbuy.deal import ShopSettings
    from chalicelib.groupbuy.deal_store import DynamoDealStore
    from chalicelib.groupbuy.slots import SlotSettings
    from tests.contracts.deal_store import a_deal

    store = DynamoDealStore()
    deal = store.create(a_deal("deal_lost"))
    lost_answers.lose()
    saved = store.save(replace(deal, title="Noodles for three"))
    assert lost_answers.lost == 1 and saved.version == deal.version + 1 and store.get("deal_lost") == saved

    lost_answers.lose()
    settings = store.put_settings(ShopSettings("m_lost", SlotSettings(zone="UTC")))  # the first: create-only
    assert lost_answers.lost == 2 and settings.version == 1
    assert store.get_settings("m_lost", "UTC") == settings
    with pytest.raises(ConcurrentUpdate):
        store.put_settings(ShopSettings("m_lost", SlotSettings(zone="UTC", days=2)))  # another's create

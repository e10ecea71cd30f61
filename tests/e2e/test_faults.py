"""AWS misbehaving mid-transition, fault by fault, as clients see it: nothing lost, nothing doubled.

A stack of this module's own, started with `--faults ""` (the session's stays clean); each test
sets the rates of the fault it proves for the step under test (`PUT /_faults`, `devstack/faults.py`),
then none, and asserts what a customer, a console and their terminals see: one outcome per window,
one history line per transition, one push per final state, one entity per create.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from devstack.faults import CLOCK_SKEW_MAX_MS, S3_DELAY_MAX_S
from tests.e2e.client import WAIT_S, Api, StackUrls, Terminal, epoch_s, status_changed
from tests.e2e.conftest import SWEEP_INTERVAL_S, Parties, Shop, order_body, start_stack, stop_stack

pytestmark = pytest.mark.e2e

OVERDUE_GRACE_S = 2
"""The local stage's grace before the sweeper re-sends a lost trigger (`ONTIME_OVERDUE_GRACE_S`)."""
FINAL = {"accepted", "rejected", "returned", "dispatched", "not_connected", "unanswered", "cancelled"}
QUIET_S = 1.0
"""Long enough for a second push of the same change to arrive, if one were sent."""


class Faults:
    """The stack's `/_faults`: the rates (and, per fault, how many strikes at most) now."""

    def __init__(self, urls: StackUrls) -> None:
        self._http = httpx.Client(base_url=urls.ws.replace("ws://", "http://", 1), timeout=WAIT_S, trust_env=False)

    def set(self, rates: dict[str, float], limits: dict[str, int] | None = None,
            handlers: dict[str, str] | None = None) -> None:
        answer = self._http.put("/_faults", json={"rates": rates, **({"limits": limits} if limits else {}),
                                                  **({"handlers": handlers} if handlers else {})})
        assert answer.status_code == 200, answer.text

    def killed(self, handler: str) -> int:
        count: int = self._http.get("/_stats").json()["invocations_killed"].get(handler, 0)
        return count

    def injected(self, fault: str) -> int:
        count: int = self._http.get("/_faults").json()["injected"].get(fault, 0)
        return count

    def wait_injected(self, fault: str, at_least: int = 1) -> None:
        """Until `fault` struck (where it strikes after the request that set it off has answered)."""
        deadline = time.monotonic() + WAIT_S
        while self.injected(fault) < at_least:
            assert time.monotonic() < deadline, f"{fault} did not strike within {WAIT_S} s"
            time.sleep(0.05)

    def wait_notifications_delivered(self) -> None:
        """Until the video queue's function ran for every notification sent (a duplicate too)."""
        deadline = time.monotonic() + WAIT_S
        while (invoked := self._http.get("/_stats").json()["invocations"].get("process_videos", 0)) < 2:
            assert time.monotonic() < deadline, f"process_videos ran {invoked} times"
            time.sleep(0.05)

    def close(self) -> None:
        self._http.close()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackUrls]:
    """This module's stack, with fault injection on and no fault set (overrides the session's)."""
    log_path = tmp_path_factory.mktemp("faulty-stack") / "stack.log"
    process, urls = start_stack(log_path, args=["--faults", "", "--fault-seed", "15"])
    try:
        yield urls
    finally:
        stop_stack(process, log_path)


@pytest.fixture
def faults(stack: StackUrls) -> Iterator[Faults]:
    made = Faults(stack)
    try:
        yield made
    finally:
        made.set({})
        made.close()


def statuses_pushed(terminal: Terminal, order_id: str) -> list[str]:
    return [m["data"]["status"] for m in terminal.about(order_id, "order.status_changed")]


def final_history(api: Api, order_id: str) -> list[str]:
    seen = api.get(f"/orders/{order_id}").json()
    return [h["status"] for h in seen["history"] if h["status"] in FINAL]


def connected_order(parties: Parties, shop: Shop, customer: Api) -> str:
    order_id: str = parties.place(customer, shop)["order_id"]
    assert shop.staff.get(f"/merchant/orders/{order_id}").json()["status"] == "connected"
    return order_id


def watched_order(parties: Parties) -> tuple[Shop, Api, Terminal, str]:
    """A shop, a customer, the customer's phone, and their order of a 30 s window, which the phone
    has seen connect."""
    shop = parties.shop(window_s=30)
    customer = parties.customer()
    phone = parties.terminal(customer)
    order_id = connected_order(parties, shop, customer)
    phone.wait_for(status_changed(order_id, "connected"))
    return shop, customer, phone, order_id


def accept(shop: Shop, order_id: str) -> httpx.Response:
    return shop.staff.post(f"/merchant/orders/{order_id}/actions", {"action": "accept"})


def orders_of(customer: Api) -> list[dict[str, Any]]:
    page = customer.get("/orders")
    assert page.status_code == 200, page.text
    items: list[dict[str, Any]] = page.json()["items"]
    return items


# ── SQS: a committed write whose trigger was not sent ─────────────────────────────────────


def test_an_order_whose_trigger_was_not_sent_is_adjudicated_by_the_sweeper_once(
        parties: Parties, faults: Faults) -> None:
    shop = parties.shop(window_s=2)
    customer = parties.customer()
    phone = parties.terminal(customer)

    faults.set({"sqs.send": 1.0})
    order = parties.place(customer, shop)  # committed; its trigger was not sent
    faults.set({})
    assert faults.injected("sqs.send") >= 1

    deadline = epoch_s(order["answer_deadline"])
    outcome = phone.wait_for(status_changed(order["order_id"], "not_connected"),
                             timeout_s=shop.window_s + SWEEP_INTERVAL_S + OVERDUE_GRACE_S + WAIT_S)
    assert epoch_s(outcome["server_time"]) >= deadline
    # The write marked its trigger unsent, so the next sweep sent it: no overdue grace to wait out.
    assert outcome["_received_at"] - deadline <= SWEEP_INTERVAL_S + 1.5
    phone.drain(QUIET_S)
    assert statuses_pushed(phone, order["order_id"]) == ["not_connected"]
    assert final_history(customer, order["order_id"]) == ["not_connected"]


# ── the process killed between the write and the trigger, and between trigger and reaction ──


def test_an_accept_killed_after_its_write_is_a_502_committed_and_its_retry_is_harmless(
        parties: Parties, faults: Faults) -> None:
    shop, customer, phone, order_id = watched_order(parties)

    faults.set({"kill.after_write": 1.0})
    killed = accept(shop, order_id)
    faults.set({})
    assert killed.status_code == 502
    assert customer.get(f"/orders/{order_id}").json()["status"] == "accepted"  # the write committed

    retried = accept(shop, order_id)  # the console did not hear back: it presses again
    assert retried.status_code in (200, 409), retried.text
    assert customer.get(f"/orders/{order_id}").json()["status"] == "accepted"
    assert final_history(customer, order_id) == ["accepted"]
    phone.drain(QUIET_S)
    assert statuses_pushed(phone, order_id).count("accepted") <= 1  # its push died with the process


def test_a_keyed_create_killed_after_its_first_write_is_in_progress_for_its_retry_and_made_nothing(
        parties: Parties, faults: Faults) -> None:
    """The first write of a keyed create is its key's claim: killed there, the caller's retry is
    told the request is still in progress (409) until the claim is stale (30 s), then creates the
    order — once, even had the first run created it (`tests/functional/test_creates_after_a_crash.py`)."""
    shop = parties.shop(window_s=30)
    customer = parties.customer()
    key = {"Idempotency-Key": uuid.uuid4().hex}

    faults.set({"kill.after_write": 1.0}, limits={"kill.after_write": 1})
    killed = customer.post("/orders", order_body(shop), headers=key)
    assert killed.status_code == 502
    retried = customer.post("/orders", order_body(shop), headers=key)
    assert retried.status_code == 409 and retried.json()["type"] == "/problems/request-in-progress", retried.text
    assert orders_of(customer) == []


def test_a_placement_killed_after_its_trigger_leaves_the_order_and_its_alarm_right(
        parties: Parties, faults: Faults) -> None:
    shop = parties.shop(window_s=2)
    customer = parties.customer()
    phone = parties.terminal(customer)
    console = parties.terminal(shop.staff)

    faults.set({"kill.after_trigger": 1.0})
    killed = customer.post("/orders", order_body(shop))
    faults.set({})
    assert killed.status_code == 502

    [order] = orders_of(customer)  # the customer's app refetches its orders: there it is, once
    pending = shop.staff.get("/merchant/orders").json()["items"]
    assert [o["order_id"] for o in pending] == [order["order_id"]]  # the console's refetch shows it
    outcome = phone.wait_for(status_changed(order["order_id"], "not_connected"), timeout_s=shop.window_s + WAIT_S)
    assert epoch_s(outcome["server_time"]) >= epoch_s(order["answer_deadline"])
    console.drain(QUIET_S)
    assert [m for m in console.received if m.get("type") == "order.created"] == []  # the reaction was lost
    assert final_history(customer, order["order_id"]) == ["not_connected"]


# ── DynamoDB: a write committed whose answer was lost ─────────────────────────────────────


@pytest.mark.parametrize("lost", [1, 2])
def test_a_create_whose_write_answers_were_lost_makes_one_order_and_its_retry_replays_it(
        parties: Parties, faults: Faults, lost: int) -> None:
    shop = parties.shop(window_s=30)
    customer = parties.customer()
    key = {"Idempotency-Key": uuid.uuid4().hex}

    faults.set({"dynamodb.lost_answer": 1.0}, limits={"dynamodb.lost_answer": lost})
    placed = customer.post("/orders", order_body(shop), headers=key)
    faults.set({})
    assert faults.injected("dynamodb.lost_answer") >= lost
    assert placed.status_code == 201, placed.text

    again = customer.post("/orders", order_body(shop), headers=key)
    assert again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true"
    assert again.json()["order_id"] == placed.json()["order_id"]
    assert [o["order_id"] for o in orders_of(customer)] == [placed.json()["order_id"]]


def test_an_accept_whose_answer_was_lost_is_one_transition_with_one_push(parties: Parties, faults: Faults) -> None:
    shop, customer, phone, order_id = watched_order(parties)

    faults.set({"dynamodb.lost_answer": 1.0}, limits={"dynamodb.lost_answer": 1})
    accepted = accept(shop, order_id)
    faults.set({})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"
    phone.wait_for(status_changed(order_id, "accepted"))
    phone.drain(QUIET_S)
    assert statuses_pushed(phone, order_id) == ["connected", "accepted"]
    assert final_history(customer, order_id) == ["accepted"]


# ── DynamoDB: throttled and timed out, after botocore's retries ───────────────────────────


@pytest.mark.parametrize("fault", ["dynamodb.throttle", "dynamodb.timeout"])
def test_a_throttled_or_timed_out_accept_is_a_503_that_changed_nothing_and_a_retry_succeeds(
        parties: Parties, faults: Faults, fault: str) -> None:
    shop = parties.shop(window_s=30)
    customer = parties.customer()
    order_id = connected_order(parties, shop, customer)

    faults.set({fault: 1.0})
    refused = accept(shop, order_id)
    faults.set({})
    assert refused.status_code == 503, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert int(refused.headers["Retry-After"]) >= 1
    assert customer.get(f"/orders/{order_id}").json()["status"] == "connected"

    assert accept(shop, order_id).status_code == 200
    assert final_history(customer, order_id) == ["accepted"]


# ── @connections ──────────────────────────────────────────────────────────────────────────


def test_a_push_whose_answer_timed_out_is_delivered_once(parties: Parties, faults: Faults) -> None:
    shop, _, phone, order_id = watched_order(parties)

    faults.set({"connections.timeout": 1.0})
    assert accept(shop, order_id).status_code == 200
    phone.wait_for(status_changed(order_id, "accepted"))
    phone.drain(QUIET_S)
    faults.set({})
    assert faults.injected("connections.timeout") >= 1
    assert statuses_pushed(phone, order_id) == ["connected", "accepted"]


def test_a_failed_push_changes_nothing_else_and_the_next_one_arrives(parties: Parties, faults: Faults) -> None:
    shop, customer, phone, order_id = watched_order(parties)

    faults.set({"connections.error": 1.0})
    assert accept(shop, order_id).status_code == 200  # a push is best effort: the accept stands
    faults.set({})
    assert faults.injected("connections.error") >= 1
    assert customer.get(f"/orders/{order_id}").json()["status"] == "accepted"

    dispatched = shop.staff.post(f"/merchant/orders/{order_id}/actions", {"action": "dispatch"})
    assert dispatched.status_code == 200, dispatched.text
    phone.wait_for(status_changed(order_id, "dispatched"))
    assert statuses_pushed(phone, order_id) == ["connected", "dispatched"]  # the accepted push was lost


def test_a_connection_that_looked_gone_is_forgotten_and_a_reconnect_restores_its_pushes(
        parties: Parties, faults: Faults) -> None:
    shop = parties.shop(window_s=30)
    customer = parties.customer()
    phone = parties.terminal(customer)

    faults.set({"connections.gone": 1.0}, limits={"connections.gone": 1})
    phone.send({"action": "ping"})  # its pong answers 410: the app forgets this connection
    faults.wait_injected("connections.gone")

    # What the terminal must do: a `hello` tells it the app no longer knows it (no role) …
    phone.send({"action": "hello"})
    identified = phone.wait_for(lambda m: m.get("type") == "connection.identified")
    assert identified["data"]["role"] is None
    order_id = connected_order(parties, shop, customer)
    phone.drain(QUIET_S)
    assert statuses_pushed(phone, order_id) == []  # forgotten: nothing is pushed to it any more

    # … so it connects again, and is pushed to again.
    again = parties.terminal(customer)
    again.send({"action": "hello"})
    assert again.wait_for(lambda m: m.get("type") == "connection.identified")["data"]["role"] == "customer"
    assert accept(shop, order_id).status_code == 200
    again.wait_for(status_changed(order_id, "accepted"))


# ── S3 notifications duplicated and late ──────────────────────────────────────────────────


@pytest.mark.parametrize("fault", ["s3.duplicate", "s3.delay"])
def test_a_video_whose_upload_notification_came_twice_or_late_is_processed_once_and_displayed(
        parties: Parties, faults: Faults, tmp_path: Path, fault: str) -> None:
    from devstack import clips
    from tests.e2e.test_groupbuy_flow import PROCESSING_S, GroupBuy, pushed, upload

    buy = GroupBuy(parties)
    buy.slots_in_seconds({"dinner": (30, 60)})
    [offered] = buy.bought()
    requested = buy.redeemed(offered["data"]["voucher_id"])["data"]
    video_id = requested["video_id"]
    clip = clips.make_clip(tmp_path / "visit.mp4", 1.5, 320, 180, faststart=True)

    faults.set({fault: 1.0}, limits={fault: 1})
    upload(requested, clip)
    published = buy.phone.wait_for(pushed("video.published", video_id=video_id),
                                   timeout_s=PROCESSING_S + S3_DELAY_MAX_S)
    assert faults.injected(fault) == 1
    assert published["data"]["status"] == "published"
    if fault == "s3.duplicate":
        faults.wait_notifications_delivered()
    buy.phone.drain(QUIET_S)
    assert len([m for m in buy.phone.received if m.get("type") == "video.published"]) == 1
    listed = parties.customer().get(f"/deals/{buy.deal_id}/videos").json()["items"]
    assert [v["video_id"] for v in listed] == [video_id]


def test_a_video_whose_processing_was_killed_after_its_claim_is_published_once_a_lease_later(
        parties: Parties, faults: Faults, tmp_path: Path) -> None:
    from devstack import clips
    from tests.e2e.test_groupbuy_flow import PROCESSING_S, GroupBuy, pushed, upload

    buy = GroupBuy(parties)
    buy.slots_in_seconds({"dinner": (30, 60)})
    [offered] = buy.bought()
    requested = buy.redeemed(offered["data"]["voucher_id"])["data"]
    video_id = requested["video_id"]
    clip = clips.make_clip(tmp_path / "visit.mp4", 1.5, 320, 180, faststart=True)

    killed_before = faults.killed("process_videos")
    # its first DynamoDB write is the claim (awaiting_upload → processing): the run dies holding it
    faults.set({"kill.after_write": 1.0}, limits={"kill.after_write": 1},
               handlers={"kill.after_write": "process_videos"})
    upload(requested, clip)
    published = buy.phone.wait_for(pushed("video.published", video_id=video_id), timeout_s=PROCESSING_S)
    assert faults.killed("process_videos") == killed_before + 1
    assert published["data"]["status"] == "published"
    buy.phone.drain(QUIET_S)
    assert len([m for m in buy.phone.received if m.get("type") == "video.published"]) == 1


# ── clock skew between containers ─────────────────────────────────────────────────────────


def test_with_skewed_clocks_a_window_has_one_outcome_never_earlier_than_the_skew_allows(
        parties: Parties, faults: Faults) -> None:
    shop = parties.shop(window_s=2)
    customer = parties.customer()
    phone = parties.terminal(customer)

    faults.set({"clock.skew": 1.0})
    order = parties.place(customer, shop)
    outcome = phone.wait_for(status_changed(order["order_id"]), timeout_s=shop.window_s + 2 * WAIT_S)
    phone.drain(QUIET_S)
    faults.set({})
    assert faults.injected("clock.skew") >= 2

    skew_s = CLOCK_SKEW_MAX_MS / 1000
    assert outcome["data"]["status"] == "not_connected"
    assert outcome["_received_at"] >= epoch_s(order["answer_deadline"]) - skew_s
    assert statuses_pushed(phone, order["order_id"]) == ["not_connected"]
    assert final_history(customer, order["order_id"]) == ["not_connected"]


def test_with_skewed_clocks_an_answer_more_than_the_skew_before_the_deadline_is_always_in_time(
        parties: Parties, faults: Faults) -> None:
    """The deadline is read on the placing container's clock and the answer judged on the
    answering one's: an answer within the skew of the deadline may fall either side of it (one
    outcome all the same), one more than the skew before it is always in time."""
    shop = parties.shop(window_s=2 * CLOCK_SKEW_MAX_MS // 1000 + 2)
    customer = parties.customer()
    phone = parties.terminal(customer)
    accepted = []
    faults.set({"clock.skew": 1.0})
    for _ in range(3):
        order = parties.place(customer, shop)
        assert shop.staff.get(f"/merchant/orders/{order['order_id']}").status_code == 200
        assert time.time() < epoch_s(order["answer_deadline"]) - CLOCK_SKEW_MAX_MS / 1000  # by a true clock
        accepted.append(accept(shop, order["order_id"]).status_code)
    faults.set({})
    assert faults.injected("clock.skew") >= 9
    assert accepted == [200, 200, 200]
    assert all(final_history(customer, o["order_id"]) == ["accepted"] for o in orders_of(customer))
    phone.drain(QUIET_S)

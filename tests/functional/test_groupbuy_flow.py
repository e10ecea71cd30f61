"""Workflow 04 through the app, on a fake clock: buying and paying a deal issues vouchers and offers
the shop's slots of the next 3 local days; an unpaid order lapses; picking slots books them (once
each, within the slot's capacity); queue updates come at `slot start − lead + k · interval` until
the slot ends, then a no-show is offered slots again; cancelling and redeeming stop the updates;
an unused voucher expires with a refund flagged; nobody reaches another customer's vouchers."""

from __future__ import annotations

from typing import Any

import pytest
from chalice.test import Client

from chalicelib.auth.principal import Principal, Role
from chalicelib.core.errors import DomainError
from tests.conftest import World
from tests.functional.groupbuy import MORNING, OTHER_SHOP, GroupBuy, local_ms
from tests.moto_patches import isolated_dynamodb_transactions
from tests.race import at_once

BUYER = "ws-u1"
OPS = "ws-ops"
THREE_DAYS = ["2026-03-24.lunch", "2026-03-24.dinner", "2026-03-25.lunch", "2026-03-25.dinner",
              "2026-03-26.lunch", "2026-03-26.dinner"]
DINNER = "2026-03-24.dinner"


@pytest.fixture
def gb(world: World, client: Client) -> GroupBuy:
    opened = GroupBuy(world, client)
    opened.open()
    assert opened.connect(BUYER, opened.customer) == 200
    assert opened.connect(OPS, opened.ops) == 200
    return opened


def data(gb: GroupBuy, message_type: str, connection: str = BUYER) -> list[dict[str, Any]]:
    return [m["data"] for m in gb.pushed(connection, message_type)]


def slot_ids(slots: list[dict[str, Any]]) -> list[str]:
    return [s["slot_id"] for s in slots]


# ── 1. buying and paying ────────────────────────────────────────────────────────────────────

def test_paying_for_two_issues_two_vouchers_and_offers_the_next_three_local_days_lunch_and_dinner(
        gb: GroupBuy) -> None:
    order = gb.buy(gb.deal(), 2)
    assert order["status"] == "pending_payment" and order["payment"]["pay_url"]

    assert gb.pay(order).body["status"] == "processed"

    paid = gb.order(order["order_id"])
    assert paid["status"] == "paid" and len(paid["voucher_ids"]) == 2
    issued = data(gb, "voucher.issued")
    assert sorted(v["voucher_id"] for v in issued) == sorted(paid["voucher_ids"])
    for voucher_id in paid["voucher_ids"]:
        voucher = gb.voucher(voucher_id)
        assert voucher["status"] == "active"
        assert len(voucher["code"]) == 12 and voucher["code"].isdigit()
        assert voucher["qr_payload"] == f"ontime:voucher:{voucher['code']}"
    offered = data(gb, "slots.offered")
    assert sorted(o["voucher_id"] for o in offered) == sorted(paid["voucher_ids"])
    for offer in offered:
        assert offer["reason"] == "paid" and offer["time_zone"] == "Asia/Shanghai"
        assert slot_ids(offer["slots"]) == THREE_DAYS
        dinner = offer["slots"][1]
        assert (dinner["start"], dinner["end"]) == ("2026-03-24T09:00:00.000Z", "2026-03-24T13:00:00.000Z")
        assert slot_ids(gb.slots(offer["voucher_id"])) == THREE_DAYS


def test_slots_that_have_passed_are_not_offered(gb: GroupBuy) -> None:
    gb.world.clock.set(local_ms("2026-03-24T14:00"))  # lunch has just ended
    [voucher_id] = gb.vouchers_bought(gb.deal())
    [offer] = data(gb, "slots.offered")
    assert slot_ids(offer["slots"]) == THREE_DAYS[1:]
    gb.world.clock.set(local_ms("2026-03-24T21:00"))
    assert slot_ids(gb.slots(voucher_id)) == THREE_DAYS[2:]


# ── 2. an unpaid order ──────────────────────────────────────────────────────────────────────

def test_an_unpaid_order_is_cancelled_when_its_window_elapses_and_a_late_payment_is_flagged_for_refund(
        gb: GroupBuy) -> None:
    order = gb.buy(gb.deal())
    gb.at(MORNING + 900_000)
    cancelled = gb.order(order["order_id"])
    assert (cancelled["status"], cancelled["voucher_ids"]) == ("cancelled", [])
    assert cancelled["cancel_reason"] == "payment_window_elapsed"

    late = gb.pay(order)
    assert late.status == 200, late.body
    flagged = gb.order(order["order_id"])
    assert flagged["refund"]["reason"] == "paid_after_cancellation" and flagged["voucher_ids"] == []
    assert [a["kind"] for a in data(gb, "alert.raised", OPS)] == ["refund_due"]
    assert gb.snapshot(("vouchers", "voucher_codes")) == {"vouchers": [], "voucher_codes": []}
    assert data(gb, "voucher.issued") == [] and data(gb, "slots.offered") == []


def test_a_duplicated_payment_callback_issues_the_vouchers_once(gb: GroupBuy) -> None:
    order = gb.buy(gb.deal(), 2)
    callback = gb.sandbox.pay(order["payment"]["payment_id"])
    assert gb.deliver_callback(callback).body["status"] == "processed"
    stored = gb.snapshot()

    again = gb.deliver_callback(callback)

    assert again.status == 200 and again.body["status"] == "ignored"
    assert gb.snapshot() == stored
    assert len(data(gb, "voucher.issued")) == 2 and len(data(gb, "slots.offered")) == 2


# ── 3. picking slots ────────────────────────────────────────────────────────────────────────

def test_picking_two_slots_makes_two_bookings_and_picking_one_again_answers_the_same_booking(gb: GroupBuy) -> None:
    [voucher_id] = gb.vouchers_bought(gb.deal())
    made = gb.book(voucher_id, "2026-03-24.dinner", "2026-03-25.dinner")
    assert made.status == 200 and made.body["refused"] == []
    assert [(b["slot_id"], b["status"]) for b in made.body["bookings"]] == [
        ("2026-03-24.dinner", "booked"), ("2026-03-25.dinner", "booked")]

    again = gb.book(voucher_id, "2026-03-25.dinner")

    assert again.status == 200
    assert again.body["bookings"][0]["booking_id"] == made.body["bookings"][1]["booking_id"]
    assert len(gb.voucher(voucher_id)["bookings"]) == 2
    marked = {s["slot_id"]: s["booking_id"] for s in gb.slots(voucher_id)}
    assert marked["2026-03-24.dinner"] == made.body["bookings"][0]["booking_id"]
    assert marked["2026-03-24.lunch"] is None


def test_slots_not_offered_are_refused_with_the_others_booked_and_all_refused_is_409(gb: GroupBuy) -> None:
    gb.world.clock.set(local_ms("2026-03-24T15:00"))
    [voucher_id] = gb.vouchers_bought(gb.deal())
    mixed = gb.book(voucher_id, "2026-03-24.lunch", "2026-03-27.lunch", DINNER)
    assert mixed.status == 200
    assert slot_ids(mixed.body["bookings"]) == [DINNER]
    assert mixed.body["refused"] == [{"slot_id": "2026-03-24.lunch", "reason": "not_offered"},
                                     {"slot_id": "2026-03-27.lunch", "reason": "not_offered"}]
    stored = gb.snapshot()

    refused = gb.book(voucher_id, "2026-03-24.lunch", "2026-03-23.dinner")

    assert refused.status == 409 and refused.is_problem, refused.body
    assert [r["slot_id"] for r in refused.body["refused"]] == ["2026-03-24.lunch", "2026-03-23.dinner"]
    assert gb.snapshot() == stored


# ── 4. queue updates and the no-show ────────────────────────────────────────────────────────

def test_queue_updates_come_at_the_lead_then_every_interval_until_the_slot_ends_then_a_no_show_is_offered_again(
        gb: GroupBuy) -> None:
    gb.settings(lead_s=1800, interval_s=3600, minutes_per_person_default=4)
    [voucher_id] = gb.vouchers_bought(gb.deal())
    booking = gb.booked(voucher_id, DINNER)
    assert booking["next_update_at"] == "2026-03-24T08:30:00.000Z"  # 16:30 in Shanghai
    gb.report_queue(7)

    moments = ["16:30", "17:30", "18:30", "19:30", "20:30"]
    for moment in ["16:00", *moments, "20:59"]:
        delivered = gb.at(local_ms(f"2026-03-24T{moment}"))
        gb.deliver(delivered)  # SQS delivers at least once: the same triggers again
        gb.sweep()
        gb.deliver(gb.due())  # and the sweeper finds nothing overdue to send again
    updates = data(gb, "queue.updated")
    assert [u["moment"] for u in updates] == [
        f"2026-03-24T{int(m[:2]) - 8:02d}:30:00.000Z" for m in moments]
    for update in updates:
        assert (update["people_waiting"], update["estimated_wait_min"], update["basis"]) == (7, 28, "default")
        assert update["server_time"] == update["moment"]
        assert update["booking"]["slot_id"] == DINNER and update["booking"]["booking_id"] == booking["booking_id"]
    assert data(gb, "slots.offered")[1:] == []

    gb.deliver(gb.at(local_ms("2026-03-24T21:00")))
    gb.at(local_ms("2026-03-24T21:30"))

    assert len(data(gb, "queue.updated")) == 5
    assert gb.booking(voucher_id, booking["booking_id"])["status"] == "missed"
    [no_show] = [o for o in data(gb, "slots.offered") if o["reason"] == "no_show"]
    assert no_show["voucher_id"] == voucher_id and slot_ids(no_show["slots"]) == THREE_DAYS[2:]
    assert [c["cause"] for c in data(gb, "booking.changed")] == ["slot_end"]
    again = gb.book(voucher_id, "2026-03-25.lunch")
    assert again.status == 200 and again.body["bookings"][0]["status"] == "booked"


def test_a_late_alarm_sends_one_update_for_the_moments_it_missed(gb: GroupBuy) -> None:
    [voucher_id] = gb.vouchers_bought(gb.deal())
    gb.booked(voucher_id, DINNER)
    gb.at(local_ms("2026-03-24T18:45"))  # asleep from 16:30 to 18:45
    gb.at(local_ms("2026-03-24T18:50"))
    [late] = data(gb, "queue.updated")
    assert late["moment"] == "2026-03-24T08:30:00.000Z" and late["booking"]["next_update_at"] == (
        "2026-03-24T11:30:00.000Z")  # 19:30: the next moment after now, not the missed 17:30 and 18:30


def test_a_booking_made_during_its_update_period_gets_the_queue_at_once_then_the_grid(gb: GroupBuy) -> None:
    gb.world.clock.set(local_ms("2026-03-24T17:45"))
    [voucher_id] = gb.vouchers_bought(gb.deal())
    gb.booked(voucher_id, DINNER)
    gb.at(local_ms("2026-03-24T17:45"))
    for moment in ("18:30", "19:30", "20:30", "21:00"):
        gb.deliver(gb.at(local_ms(f"2026-03-24T{moment}")))
    assert [u["moment"] for u in data(gb, "queue.updated")] == [
        "2026-03-24T09:45:00.000Z", "2026-03-24T10:30:00.000Z", "2026-03-24T11:30:00.000Z",
        "2026-03-24T12:30:00.000Z"]


def test_the_estimate_uses_the_shops_recent_service_rate_once_three_were_served(gb: GroupBuy) -> None:
    gb.world.clock.set(local_ms("2026-03-24T16:00"))
    vouchers = gb.vouchers_bought(gb.deal(), 4)
    for n, voucher_id in enumerate(vouchers[:3]):
        gb.world.clock.set(local_ms("2026-03-24T16:10") + n * 120_000)
        assert gb.redeem(gb.voucher(voucher_id)["code"]).status == 200
    gb.report_queue(5)
    assert gb.customer.get("/shops/m1/queue").body["basis"] == "recent_rate"
    gb.booked(vouchers[3], DINNER)
    gb.at(local_ms("2026-03-24T16:30"))
    [update] = data(gb, "queue.updated")
    assert (update["minutes_per_person"], update["estimated_wait_min"], update["basis"]) == (2.0, 10, "recent_rate")


# ── 5. cancelling a booking ─────────────────────────────────────────────────────────────────

def test_a_cancelled_booking_gets_no_more_updates_gives_its_place_back_and_can_be_booked_again(gb: GroupBuy) -> None:
    gb.settings(capacity=1)
    [mine, theirs] = gb.vouchers_bought(gb.deal(), 2)
    booking = gb.booked(mine, DINNER)
    gb.at(local_ms("2026-03-24T16:30"))
    assert len(data(gb, "queue.updated")) == 1
    assert gb.book(theirs, DINNER).body["refused"] == [{"slot_id": DINNER, "reason": "full"}]

    cancelled = gb.cancel(mine, booking["booking_id"])

    assert cancelled.status == 200 and cancelled.body["status"] == "cancelled"
    for moment in ("17:30", "18:30", "21:00"):
        gb.at(local_ms(f"2026-03-24T{moment}"))
    assert len(data(gb, "queue.updated")) == 1
    assert [o["reason"] for o in data(gb, "slots.offered")] == ["paid", "paid"]
    gb.world.clock.set(local_ms("2026-03-24T17:45"))
    assert DINNER in slot_ids(gb.slots(theirs))
    assert gb.booked(theirs, DINNER)["status"] == "booked"
    assert gb.cancel(theirs, gb.booked(theirs, DINNER)["booking_id"]).status == 200
    rebooked = gb.booked(mine, DINNER)
    assert rebooked["booking_id"] == booking["booking_id"] and rebooked["status"] == "booked"
    assert [c["cause"] for c in data(gb, "booking.changed") if c["voucher_id"] == mine] == ["cancel", "rebook"]


# ── 6. capacity under a race ────────────────────────────────────────────────────────────────

def test_two_vouchers_racing_for_the_last_place_one_is_booked_and_the_full_slot_is_no_longer_offered(
        gb: GroupBuy) -> None:
    gb.settings(capacity=1)
    first, second = gb.vouchers_bought(gb.deal(), 2)
    service = gb.world.groupbuy.vouchers
    buyer = Principal("u1", Role.CUSTOMER)

    with isolated_dynamodb_transactions():  # DynamoDB's transactions are isolated; moto's only patched
        answers = at_once(2, lambda n: service.book(buyer, (first, second)[n], [DINNER]))

    booked = [a for a in answers if isinstance(a, dict)]
    refused = [a for a in answers if isinstance(a, DomainError)]
    assert len(booked) == 1 and len(refused) == 1, answers
    assert refused[0].problem == "slot-full"
    assert refused[0].extensions["refused"] == [{"slot_id": DINNER, "reason": "full"}]
    counts = gb.snapshot(("slot_counts",))["slot_counts"]
    assert [int(c["booked"]["N"]) for c in counts] == [1]
    winner = booked[0]["voucher_id"]
    loser = second if winner == first else first
    assert DINNER not in slot_ids(gb.slots(loser))
    assert DINNER in slot_ids(gb.slots(winner))  # its own booking stays listed
    [place] = [s for s in gb.slots(winner) if s["slot_id"] == DINNER]
    assert place["places_left"] == 0


def test_a_double_tapped_pick_makes_one_booking_and_takes_one_place(gb: GroupBuy) -> None:
    gb.settings(capacity=2)
    [voucher_id] = gb.vouchers_bought(gb.deal())
    service = gb.world.groupbuy.vouchers
    buyer = Principal("u1", Role.CUSTOMER)

    with isolated_dynamodb_transactions():
        answers = at_once(2, lambda _: service.book(buyer, voucher_id, [DINNER]))

    assert all(isinstance(a, dict) and a["refused"] == [] for a in answers), answers
    assert len({a["bookings"][0]["booking_id"] for a in answers}) == 1
    assert [int(c["booked"]["N"]) for c in gb.snapshot(("slot_counts",))["slot_counts"]] == [1]
    assert len(gb.voucher(voucher_id)["bookings"]) == 1


# ── 7. redeeming ────────────────────────────────────────────────────────────────────────────

def test_redeeming_uses_the_voucher_stops_its_bookings_and_asks_the_buyer_for_a_video(gb: GroupBuy) -> None:
    [voucher_id] = gb.vouchers_bought(gb.deal())
    booking = gb.booked(voucher_id, DINNER)
    tomorrow = gb.booked(voucher_id, "2026-03-25.lunch")
    gb.at(local_ms("2026-03-24T16:30"))
    code = gb.voucher(voucher_id)["code"]
    gb.world.clock.set(local_ms("2026-03-24T17:10"))

    used = gb.redeem(code)

    assert used.status == 200 and used.body["status"] == "used" and used.body["code"] is None
    assert gb.voucher(voucher_id)["status"] == "used"
    assert gb.booking(voucher_id, booking["booking_id"])["status"] == "used"
    assert gb.booking(voucher_id, tomorrow["booking_id"])["status"] == "used"
    [redeemed] = data(gb, "voucher.redeemed")
    assert redeemed["voucher_id"] == voucher_id
    [requested] = data(gb, "video.requested")
    assert requested["voucher_id"] == voucher_id
    assert requested["upload"]["url"] and requested["upload"]["fields"]["key"].startswith(f"uploads/{voucher_id}/")
    for moment in ("2026-03-24T17:30", "2026-03-24T18:30", "2026-03-24T21:00", "2026-03-25T10:30",
                   "2026-03-25T14:00"):
        gb.at(local_ms(moment))
    assert len(data(gb, "queue.updated")) == 1
    assert [o["reason"] for o in data(gb, "slots.offered")] == ["paid"]
    assert data(gb, "voucher.expired") == []


def test_a_refused_redeem_is_a_problem_and_changes_nothing(gb: GroupBuy) -> None:
    deal = gb.deal(valid_until="2026-03-25T16:00:00Z")
    used_id, expiring_id = gb.vouchers_bought(deal, 2)
    [elsewhere_id] = gb.vouchers_bought(gb.deal(OTHER_SHOP))
    used_code = gb.voucher(used_id)["code"]
    assert gb.redeem(used_code).status == 200
    stored = gb.snapshot()

    for code, by, status, problem in (
            ("000000000000" if used_code != "000000000000" else "000000000001", gb.staff, 404, "not-found"),
            (gb.voucher(elsewhere_id)["code"], gb.staff, 404, "not-found"),
            (gb.voucher(expiring_id)["code"], gb.other_staff, 404, "not-found"),
            (used_code, gb.staff, 409, "voucher-used")):
        refused = gb.redeem(code, by=by)
        assert (refused.status, refused.body["type"]) == (status, f"/problems/{problem}"), refused.body
        assert refused.is_problem
    assert gb.snapshot() == stored

    gb.world.clock.set(gb.world.clock.now_ms() + 3 * 24 * 3600_000)  # past the expiry, before any alarm
    expired = gb.redeem(gb.voucher(expiring_id)["code"])
    assert (expired.status, expired.body["type"]) == (409, "/problems/voucher-expired"), expired.body
    assert gb.voucher(expiring_id)["status"] == "expired"


# ── 8. expiry ───────────────────────────────────────────────────────────────────────────────

def test_an_unused_voucher_expires_with_a_refund_flagged_its_bookings_cancelled_and_no_more_slots(
        gb: GroupBuy) -> None:
    gb.settings(capacity=5)
    deal = gb.deal(valid_until="2026-03-24T12:00:00Z")  # 20:00 in Shanghai, during dinner
    assert deal["voucher_expires_at"] == "2026-03-24T12:00:00.000Z"
    [voucher_id] = gb.vouchers_bought(deal)
    assert slot_ids(data(gb, "slots.offered")[0]["slots"]) == THREE_DAYS[:2]  # no slot after the expiry
    booking = gb.booked(voucher_id, DINNER)
    for moment in ("16:30", "17:30", "18:30", "19:30"):
        gb.at(local_ms(f"2026-03-24T{moment}"))

    gb.at(local_ms("2026-03-24T20:00"))

    voucher = gb.voucher(voucher_id)
    assert voucher["status"] == "expired"
    assert voucher["refund"]["reason"] == "expired_unused" and voucher["refund"]["amount"] == deal["price"]
    assert [v["voucher_id"] for v in data(gb, "voucher.expired")] == [voucher_id]
    [alert] = data(gb, "alert.raised", OPS)
    assert alert["kind"] == "refund_due" and alert["voucher"]["voucher_id"] == voucher_id
    assert gb.booking(voucher_id, booking["booking_id"])["status"] == "cancelled"
    assert [int(c["booked"]["N"]) for c in gb.snapshot(("slot_counts",))["slot_counts"]] == [0]  # place given back
    gb.at(local_ms("2026-03-24T20:30"))
    gb.at(local_ms("2026-03-24T21:00"))
    assert len(data(gb, "queue.updated")) == 4  # 16:30 … 19:30, none after the expiry
    assert [o["reason"] for o in data(gb, "slots.offered")] == ["paid"]
    assert gb.slots(voucher_id) == []
    assert gb.book(voucher_id, "2026-03-25.lunch").status == 409


# ── 9. other customers, merchants, bad bodies ───────────────────────────────────────────────

def test_another_customers_vouchers_bookings_and_orders_are_not_found(gb: GroupBuy) -> None:
    order = gb.buy(gb.deal())
    gb.pay(order)
    [voucher_id] = gb.order(order["order_id"])["voucher_ids"]
    booking = gb.booked(voucher_id, DINNER)
    stored = gb.snapshot()
    stranger = gb.other_customer
    for reply in (stranger.get(f"/group-buy/orders/{order['order_id']}"),
                  stranger.post(f"/group-buy/orders/{order['order_id']}/cancel"),
                  stranger.get(f"/vouchers/{voucher_id}"), stranger.get(f"/vouchers/{voucher_id}/slots"),
                  gb.book(voucher_id, "2026-03-25.lunch", by=stranger),
                  gb.cancel(voucher_id, booking["booking_id"], by=stranger)):
        assert reply.status == 404 and reply.is_problem, reply.body
    assert stranger.get("/vouchers").body["items"] == []
    assert gb.snapshot() == stored


def test_a_booking_of_another_voucher_is_not_found_under_mine(gb: GroupBuy) -> None:
    mine, other = gb.vouchers_bought(gb.deal(), 2)
    booking = gb.booked(other, DINNER)
    refused = gb.cancel(mine, booking["booking_id"])
    assert refused.status == 404 and refused.is_problem
    assert gb.booking(other, booking["booking_id"])["status"] == "booked"


def test_a_merchant_cannot_book_and_bad_bodies_are_problems(gb: GroupBuy) -> None:
    [voucher_id] = gb.vouchers_bought(gb.deal())
    stored = gb.snapshot()
    assert gb.book(voucher_id, DINNER, by=gb.staff).status == 403
    bodies: list[dict[str, Any]] = [{"slot_ids": []}, {"slot_ids": ["tomorrow"]}, {"slot_ids": [DINNER] * 15},
                                    {"slot_id": DINNER}]
    for body in bodies:
        reply = gb.customer.post(f"/vouchers/{voucher_id}/bookings", body)
        assert reply.status == 400 and reply.is_problem, (body, reply.body)
    unknown_meal = gb.book(voucher_id, "2026-03-24.breakfast")
    assert unknown_meal.status == 409 and unknown_meal.body["refused"] == [
        {"slot_id": "2026-03-24.breakfast", "reason": "not_offered"}]
    for code in ("12345", "ontime:voucher:123456789012", " "):
        reply = gb.redeem(code)
        assert reply.status == 400 and reply.is_problem, (code, reply.body)
    assert gb.staff.put("/merchant/queue", {"waiting": -1}).status == 400
    assert gb.snapshot() == stored

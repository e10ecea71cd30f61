"""Spec 05 on the running stack, with two real WebRTC peers (aiortc: the customer's app and the
merchant's console, tests/e2e/rtc.py). The customer calls; the console rings and answers with its
own connection id; both get their ICE settings (none on the local stage); the peers exchange offer
and answer only as `call.signal` messages over the stack's WebSocket and then each decodes the
other's video. The merchant asks for details, the customer types them (versions out of order too),
the console ends with the newest text, the customer submits; the merchant drafts and sends an
order, the customer pays it on the sandbox's pay page and both sides see it paid. Also: the ring
deadline (`missed`, the customer told), `merchant_offline`, a second merchant terminal cannot
signal into a call it did not answer, signals after hang-up are refused, and a customer whose
terminal drops rejoins and renegotiates until video flows again."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import pytest

from tests.builders import cny
from tests.e2e import rtc
from tests.e2e.client import WAIT_S, Api, Message, Terminal, epoch_s
from tests.e2e.conftest import Parties, Shop
from tests.e2e.rtc import LoopThread, Payload, Peer, new_peer, tag_of

pytestmark = pytest.mark.e2e

T = TypeVar("T")

FRAMES = 10
MEDIA_WAIT_S = 30.0
"""Connecting and the first frames take well under a second alone; two VP8 peers beside a stack on
a loaded 2-core machine may take many times that."""
LOCAL_ICE: list[dict[str, Any]] = []
"""The local stage hands out no ICE servers: loopback needs none."""


def pushed(message_type: str, **fields: Any) -> Callable[[Message], bool]:
    return lambda m: m.get("type") == message_type and all(m.get("data", {}).get(k) == v for k, v in fields.items())


def signal_from(call_id: str, side: str) -> Callable[[Message], bool]:
    return pushed("call.signalled", call_id=call_id, **{"from": side})


def refused(problem: str) -> Callable[[Message], bool]:
    return lambda m: m.get("type") == "error" and m.get("data", {}).get("problem") == problem


def seen(terminal: Terminal, wanted: Callable[[Message], bool], timeout_s: float = WAIT_S) -> Message:
    """A wanted message already received (in any order with the others), else the next one."""
    for message in terminal.received:
        if wanted(message):
            return message
    return terminal.wait_for(wanted, timeout_s)


def hello(terminal: Terminal) -> str:
    """The terminal's own connection id, which REST calls name to bind it to a call."""
    terminal.send({"action": "hello"})
    connection_id: str = terminal.wait_for(lambda m: m.get("type") == "connection.identified")["data"]["connection_id"]
    return connection_id


def send_signal(terminal: Terminal, call_id: str, payload: Payload) -> None:
    terminal.send({"action": "call.signal", "call_id": call_id, "payload": payload})


def problem(answer: httpx.Response, status: int, name: str | None = None) -> dict[str, Any]:
    assert answer.status_code == status, (answer.request.method, answer.request.url, answer.text)
    assert answer.headers["content-type"] == "application/problem+json", answer.text
    body: dict[str, Any] = answer.json()
    assert body["status"] == status
    if name is not None:
        assert body["type"].endswith(f"/{name}"), body
    return body


@dataclass
class Side:
    """One party's terminal, its connection id and (once made) its peer."""

    name: str  # "customer" | "merchant", as `call.signal`'s `from` names it
    api: Api
    terminal: Terminal
    connection_id: str
    peer: Peer | None = None


class Media:
    """The peers' asyncio loop (on its own thread) and every peer made on it, closed afterwards."""

    def __init__(self, loop: LoopThread) -> None:
        self.loop = loop
        self.peers: list[Peer] = []

    def run(self, work: Awaitable[T], timeout: float = 30.0) -> T:
        return self.loop.run(work, timeout)

    def peer_for(self, side: Side, ice_servers: list[dict[str, Any]]) -> Peer:
        peer = self.run(new_peer(side.name, ice_servers))
        self.peers.append(peer)
        side.peer = peer
        return peer


@pytest.fixture
def media() -> Iterator[Media]:
    with LoopThread() as loop:
        made = Media(loop)
        try:
            yield made
        finally:
            for peer in made.peers:
                loop.run(peer.close())


class Call:
    """A shop with a connected console, a customer with a connected phone, and a call between them."""

    def __init__(self, parties: Parties, *, ring_s: int | None = None) -> None:
        self.parties = parties
        self.shop: Shop = parties.shop(60)
        if ring_s is not None:
            put = self.shop.staff.put("/merchant/call-settings", {"ring_s": ring_s})
            assert put.status_code == 200 and put.json()["ring_s"] == ring_s, put.text
        console = parties.terminal(self.shop.staff)
        self.merchant = Side("merchant", self.shop.staff, console, hello(console))
        customer = parties.customer()
        phone = parties.terminal(customer)
        self.customer = Side("customer", customer, phone, hello(phone))
        self.view: dict[str, Any] = {}

    @property
    def call_id(self) -> str:
        return str(self.view["call_id"])

    def ring(self) -> dict[str, Any]:
        placed = self.customer.api.post("/calls", {"merchant_id": self.shop.merchant_id,
                                                    "connection_id": self.customer.connection_id},
                                        headers={"Idempotency-Key": uuid.uuid4().hex})
        assert placed.status_code == 201, placed.text
        self.view = placed.json()
        assert self.view["status"] == "ringing" and self.view["you"] == "customer", self.view
        assert self.view["merchant_id"] == self.shop.merchant_id and self.view["customer_id"] == self.customer.api.sub
        ringing: dict[str, Any] = self.merchant.terminal.wait_for(pushed("call.ringing", call_id=self.call_id))["data"]
        assert ringing["status"] == "ringing" and ringing["ring_deadline"] == self.view["ring_deadline"]
        return ringing

    def answer(self, side: Side | None = None) -> dict[str, Any]:
        answering = side or self.merchant
        answered = answering.api.post(f"/merchant/calls/{self.call_id}/answer",
                                      {"connection_id": answering.connection_id})
        assert answered.status_code == 200, answered.text
        view: dict[str, Any] = answered.json()
        assert view["status"] == "connected" and view["you"] == "merchant" and view["answered_at"], view
        return view

    def hangup_by_merchant(self) -> None:
        done = self.merchant.api.post(f"/merchant/calls/{self.call_id}/hangup")
        assert done.status_code == 200 and done.json()["status"] == "ended", done.text


def negotiate(media: Media, call_id: str, offerer: Side, answerer: Side, *, restart: bool = False) -> None:
    """Offer and answer, each only as a `call.signal` through the stack; each arrives as it was sent."""
    assert offerer.peer is not None and answerer.peer is not None
    offer = media.run(offerer.peer.make_offer(restart=restart))
    send_signal(offerer.terminal, call_id, offer)
    got = answerer.terminal.wait_for(signal_from(call_id, offerer.name))["data"]
    assert got["payload"] == offer
    answer = media.run(answerer.peer.accept_offer(got["payload"]))
    send_signal(answerer.terminal, call_id, answer)
    back = offerer.terminal.wait_for(signal_from(call_id, answerer.name))["data"]
    assert back["payload"] == answer
    media.run(offerer.peer.accept_answer(back["payload"]))


def video_both_ways(media: Media, one: Side, other: Side, generation: int = 1) -> None:
    assert one.peer is not None and other.peer is not None

    async def both() -> tuple[list[Any], list[Any]]:
        assert one.peer is not None and other.peer is not None
        return await asyncio.gather(one.peer.frames(FRAMES, MEDIA_WAIT_S), other.peer.frames(FRAMES, MEDIA_WAIT_S))

    at_one, at_other = media.run(both(), MEDIA_WAIT_S + 5)
    assert {f.tag for f in at_one} == {tag_of(other.name)}, "the other side's own frames"
    assert {f.tag for f in at_other} == {tag_of(one.name)}
    assert {f.generation for f in at_one} == {f.generation for f in at_other} == {generation}
    for frames in (at_one, at_other):
        assert rtc.live(frames), f"live video, frame after frame: {[f.counter for f in frames]}"


def connected_with_video(parties: Parties, media: Media) -> Call:
    call = Call(parties)
    call.ring()
    answered = call.answer()
    assert answered["ice_servers"] == LOCAL_ICE and answered["ice_expires_at"] is None
    told = seen(call.customer.terminal, pushed("call.connected", call_id=call.call_id))["data"]
    assert told["status"] == "connected" and told["ice_servers"] == LOCAL_ICE
    media.peer_for(call.customer, told["ice_servers"])
    media.peer_for(call.merchant, answered["ice_servers"])
    negotiate(media, call.call_id, call.customer, call.merchant)
    video_both_ways(media, call.customer, call.merchant)
    return call


def patch_details(customer: Api, call_id: str, fields: dict[str, tuple[str, int]]) -> dict[str, Any]:
    body = {"fields": {name: {"value": value, "version": version} for name, (value, version) in fields.items()}}
    answer = customer.http.patch(f"/calls/{call_id}/details", json=body)
    assert answer.status_code == 200, answer.text
    view: dict[str, Any] = answer.json()
    return view


def test_rung_answered_peers_signal_through_the_stack_see_each_other_then_details_synced_order_drafted_and_paid(
        parties: Parties, media: Media) -> None:
    call = connected_with_video(parties, media)
    call_id = call.call_id
    for side in (call.customer, call.merchant):
        got = side.api.get(f"/calls/{call_id}")
        assert got.status_code == 200, got.text
        assert got.json()["status"] == "connected" and got.json()["you"] == side.name
        assert got.json()["ice_servers"] == LOCAL_ICE

    requested = call.merchant.api.post(f"/merchant/calls/{call_id}/details-request", {})
    assert requested.status_code == 200 and requested.json()["details_requested_at"], requested.text
    window = seen(call.customer.terminal, pushed("details.requested", call_id=call_id))["data"]
    assert sorted(window["fields"]) == ["address", "content", "price_proposal", "when"]

    # As the customer types: each keystroke batch a higher version; version 3 of the content
    # arrives after version 4 (a slow request) and must not overwrite it.
    patch_details(call.customer.api, call_id, {"content": ("2", 1)})
    patch_details(call.customer.api, call_id, {"content": ("2 kg", 2), "price_proposal": ("12", 1)})
    patch_details(call.customer.api, call_id, {"content": ("2 kg mangoes, ripe", 4), "price_proposal": ("12.50", 2),
                                               "address": ("1 Bund Road", 1)})
    late = patch_details(call.customer.api, call_id, {"content": ("2 kg mango", 3), "when": ("tomorrow 10:00", 1)})
    assert late["details"]["content"] == {"value": "2 kg mangoes, ripe", "version": 4}, late["details"]
    assert late["details"]["when"] == {"value": "tomorrow 10:00", "version": 1}
    newest = {"content": {"value": "2 kg mangoes, ripe", "version": 4},
              "price_proposal": {"value": "12.50", "version": 2},
              "when": {"value": "tomorrow 10:00", "version": 1},
              "address": {"value": "1 Bund Road", "version": 1}}
    seen(call.merchant.terminal, lambda m: m.get("type") == "details.updated"
         and m["data"].get("fields", {}).get("when") == newest["when"])
    form: dict[str, dict[str, Any]] = {}  # the merchant's order form, filled from the pushes as they come
    for message in call.merchant.terminal.received:
        if message.get("type") == "details.updated" and message["data"]["call_id"] == call_id:
            for name, field in message["data"]["fields"].items():
                if name not in form or field["version"] > form[name]["version"]:
                    form[name] = field
    assert form == newest
    assert not [m for m in call.merchant.terminal.received if m.get("type") == "details.updated"
                and m["data"]["fields"].get("content", {}).get("version") == 3], "the stale version is not pushed"
    assert call.merchant.api.get(f"/calls/{call_id}").json()["details"] == newest

    submitted = call.customer.api.post(f"/calls/{call_id}/details/submit", {"fields": {}})
    assert submitted.status_code == 200 and submitted.json()["details_submitted_at"], submitted.text
    pushed_details = seen(call.merchant.terminal, pushed("details.submitted", call_id=call_id))["data"]["details"]
    assert pushed_details == newest

    # The merchant's price (the customer's "12.50" only a proposal); content and address default
    # to the customer's details.
    drafted = call.merchant.api.post(f"/merchant/calls/{call_id}/orders", {"price": cny(1250)},
                                     headers={"Idempotency-Key": uuid.uuid4().hex})
    assert drafted.status_code == 201, drafted.text
    order = drafted.json()
    assert order["status"] == "draft" and order["call_id"] == call_id and order["price"] == cny(1250)
    assert order["content"] == "2 kg mangoes, ripe" and order["address"] == "1 Bund Road"
    order_id = order["order_id"]
    sent = call.merchant.api.post(f"/merchant/call-orders/{order_id}/send")
    assert sent.status_code == 200, sent.text
    assert sent.json()["status"] == "awaiting_payment" and sent.json()["payment_deadline"]
    created = seen(call.customer.terminal, pushed("call_order.created", order_id=order_id))["data"]
    assert created["status"] == "awaiting_payment" and created["price"] == cny(1250)
    pay_url = created["payment"]["pay_url"]

    page = httpx.get(pay_url, timeout=WAIT_S, trust_env=False)
    assert page.status_code == 200 and "12.50" in page.text
    paid = httpx.post(pay_url, json={"outcome": "succeeded"}, timeout=WAIT_S, trust_env=False)
    assert paid.status_code == 200 and paid.json()["callback_status"] == 200, paid.text
    for side in (call.customer, call.merchant):
        changed = seen(side.terminal, pushed("call_order.status_changed", order_id=order_id, status="paid"))["data"]
        assert changed["previous_status"] == "awaiting_payment" and changed["paid_at"]
    view = call.customer.api.get(f"/calls/{call_id}").json()
    assert [(o["order_id"], o["status"]) for o in view["orders"]] == [(order_id, "paid")]
    assert call.customer.api.get(f"/call-orders/{order_id}").json()["status"] == "paid"

    done = call.customer.api.post(f"/calls/{call_id}/hangup")
    assert done.status_code == 200 and done.json()["status"] == "ended", done.text
    for side in (call.customer, call.merchant):
        ended = seen(side.terminal, pushed("call.status_changed", call_id=call_id, status="ended"))["data"]
        assert ended["previous_status"] == "connected" and ended["cause"] == "hung_up_by_customer"
    assert call.customer.api.get(f"/call-orders/{order_id}").json()["status"] == "paid", "the order outlives the call"


def test_an_unanswered_call_is_missed_at_its_ring_deadline_and_the_customer_is_told(parties: Parties) -> None:
    call = Call(parties, ring_s=1)
    call.ring()
    deadline = epoch_s(call.view["ring_deadline"])
    assert 0.5 <= deadline - epoch_s(call.view["created_at"]) <= 1.5
    missed = call.customer.terminal.wait_for(pushed("call.status_changed", call_id=call.call_id), WAIT_S + 1)
    assert missed["data"]["status"] == "missed" and missed["data"]["cause"] == "ring_deadline_elapsed"
    assert missed["data"]["previous_status"] == "ringing"
    assert missed["_received_at"] >= deadline, "not before its deadline"
    seen(call.merchant.terminal, pushed("call.status_changed", call_id=call.call_id, status="missed"))
    problem(call.merchant.api.post(f"/merchant/calls/{call.call_id}/answer",
                                   {"connection_id": call.merchant.connection_id}), 409, "call-not-ringing")
    assert call.customer.api.get(f"/calls/{call.call_id}").json()["status"] == "missed"
    call.customer.terminal.drain(1.5)
    told = [m for m in call.customer.terminal.received if pushed("call.status_changed", call_id=call.call_id)(m)]
    assert len(told) == 1, "told once"
    call.customer.terminal.send({"action": "list_pending"})
    listed = call.customer.terminal.wait_for(lambda m: m.get("type") == "calls.listed")["data"]
    assert call.call_id not in [c["call_id"] for c in listed["items"]], "a missed call is not live"


def test_a_call_to_a_merchant_with_no_connected_terminal_fails_at_once_and_nothing_rings(parties: Parties) -> None:
    shop = parties.shop(60)
    customer = parties.customer()
    phone = parties.terminal(customer)
    connection_id = hello(phone)
    body = {"merchant_id": shop.merchant_id, "connection_id": connection_id}
    problem(customer.post("/calls", body), 409, "merchant-offline")

    console = parties.terminal(shop.staff)  # a console that was there, and left
    hello(console)
    console.close()
    for _ in range(int(WAIT_S / 0.2)):  # the stack hears of the closed socket soon after
        answer = customer.post("/calls", body)
        if answer.status_code != 201:
            break
        time.sleep(0.2)
    problem(answer, 409, "merchant-offline")

    phone.send({"action": "list_pending"})
    assert phone.wait_for(lambda m: m.get("type") == "calls.listed")["data"]["items"] == [], "nothing stored"
    problem(customer.post("/calls", {"merchant_id": f"m_{uuid.uuid4().hex[:12]}", "connection_id": connection_id}),
            404)
    other_phone = parties.terminal(parties.customer())
    problem(customer.post("/calls", {"merchant_id": shop.merchant_id, "connection_id": hello(other_phone)}), 422)


def test_only_the_answering_terminal_and_the_customer_may_signal_and_others_are_refused_unrelayed(
        parties: Parties) -> None:
    call = Call(parties)
    second_staff = parties.api(parties.token(role="merchant", sub=f"staff2-{call.shop.merchant_id}",
                                             merchant_id=call.shop.merchant_id))
    second_console = parties.terminal(second_staff)
    second = Side("merchant", second_staff, second_console, hello(second_console))
    call.ring()
    second.terminal.wait_for(pushed("call.ringing", call_id=call.call_id))
    candidate: Payload = {"type": "candidate", "sdpMid": "0", "sdpMLineIndex": 0,
                          "candidate": "candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host"}

    send_signal(call.customer.terminal, call.call_id, candidate)  # still ringing
    assert seen(call.customer.terminal, refused("call-not-connected"))["data"]["action"] == "call.signal"

    call.answer()
    elsewhere = second.terminal.wait_for(pushed("call.answered_elsewhere", call_id=call.call_id))["data"]
    assert elsewhere["answered_at"]
    assert not [m for m in call.merchant.terminal.received if m.get("type") == "call.answered_elsewhere"]

    send_signal(second.terminal, call.call_id, {"type": "offer", "sdp": "v=0\r\n"})
    assert second.terminal.wait_for(refused("not-a-party"))["data"]["action"] == "call.signal"
    stranger = parties.terminal(parties.customer())
    send_signal(stranger, call.call_id, candidate)
    stranger.wait_for(refused("not-a-party"))
    send_signal(stranger, f"cal_{uuid.uuid4().hex[:12]}", candidate)
    stranger.wait_for(refused("not-a-party"))

    send_signal(call.merchant.terminal, call.call_id, candidate)  # the one that answered
    relayed = call.customer.terminal.wait_for(signal_from(call.call_id, "merchant"))["data"]
    assert relayed["payload"] == candidate
    send_signal(call.customer.terminal, call.call_id, {**candidate, "candidate": ""})
    assert call.merchant.terminal.wait_for(signal_from(call.call_id, "customer"))["data"]["payload"]["candidate"] == ""

    for bad in ({"type": "bogus"}, {"type": "offer"}, {"type": "offer", "sdp": "x" * (25 * 1024)},
                {"type": "candidate", "candidate": 7}):
        send_signal(call.customer.terminal, call.call_id, bad)
        call.customer.terminal.wait_for(refused("malformed-signal"))
    call.customer.terminal.drain(0.5)
    call.merchant.terminal.drain(0.5)
    second.terminal.drain(0.1)
    at_customer = [m for m in call.customer.terminal.received if m.get("type") == "call.signalled"]
    assert [m["data"]["payload"] for m in at_customer] == [candidate], "nothing from the second console"
    at_merchant = [m for m in call.merchant.terminal.received if m.get("type") == "call.signalled"]
    assert len(at_merchant) == 1, "nothing malformed relayed"
    assert not [m for m in second.terminal.received if m.get("type") == "call.signalled"]


def test_signals_after_hang_up_are_refused_and_not_relayed(parties: Parties, media: Media) -> None:
    call = connected_with_video(parties, media)
    call.hangup_by_merchant()
    for side in (call.customer, call.merchant):
        ended = seen(side.terminal, pushed("call.status_changed", call_id=call.call_id, status="ended"))["data"]
        assert ended["cause"] == "hung_up_by_merchant" and ended["ended_at"]
    relayed_before = {side.name: len([m for m in side.terminal.received if m.get("type") == "call.signalled"])
                      for side in (call.customer, call.merchant)}
    assert call.customer.peer is not None and call.merchant.peer is not None
    send_signal(call.customer.terminal, call.call_id, media.run(call.customer.peer.make_offer()))
    call.customer.terminal.wait_for(refused("call-not-connected"))
    send_signal(call.merchant.terminal, call.call_id, call.merchant.peer.candidate_payloads()[0])
    call.merchant.terminal.wait_for(refused("call-not-connected"))
    for side in (call.customer, call.merchant):
        side.terminal.drain(0.5)
        relayed = [m for m in side.terminal.received if m.get("type") == "call.signalled"]
        assert len(relayed) == relayed_before[side.name]
    again = call.customer.api.post(f"/calls/{call.call_id}/hangup")  # a second hang-up changes nothing
    assert again.status_code == 200 and again.json()["end_cause"] == "hung_up_by_merchant", again.text


def test_a_customer_whose_terminal_drops_rejoins_from_a_new_one_and_a_new_offer_brings_the_video_back(
        parties: Parties, media: Media) -> None:
    call = connected_with_video(parties, media)
    old = call.customer
    assert old.peer is not None
    media.run(old.peer.drop())  # the phone lost its network: socket and media both gone
    old.terminal.close()

    phone = parties.terminal(old.api)
    rejoining = Side("customer", old.api, phone, hello(phone), old.peer)
    call.customer = rejoining
    assert rejoining.connection_id != old.connection_id
    phone.send({"action": "list_pending"})
    listed = phone.wait_for(lambda m: m.get("type") == "calls.listed")["data"]
    [resumed] = [c for c in listed["items"] if c["call_id"] == call.call_id]
    assert resumed["status"] == "connected" and resumed["ice_servers"] == LOCAL_ICE and resumed["orders"] == []
    got = old.api.get(f"/calls/{call.call_id}")
    assert got.status_code == 200 and got.json()["status"] == "connected", got.text

    rejoined = old.api.post(f"/calls/{call.call_id}/rejoin", {"connection_id": rejoining.connection_id})
    assert rejoined.status_code == 200 and rejoined.json()["status"] == "connected", rejoined.text
    told = call.merchant.terminal.wait_for(pushed("call.rejoined", call_id=call.call_id))["data"]
    assert told["side"] == "customer"
    negotiate(media, call.call_id, rejoining, call.merchant, restart=True)
    video_both_ways(media, rejoining, call.merchant, generation=2)
    done = call.merchant.api.post(f"/merchant/calls/{call.call_id}/hangup")
    assert done.status_code == 200, done.text
    seen(phone, pushed("call.status_changed", call_id=call.call_id, status="ended"))

"""The test peer itself (tests/e2e/rtc.py), with no stack: two aiortc peers whose signals pass
through an in-memory relay (JSON both ways, as the stack's WebSocket carries them) connect over
loopback, and each decodes the other's frames; a drop and a restart offer bring video back, and a
plain renegotiation keeps the live connection."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aioice.ice
import numpy as np
import pytest

from tests.e2e import rtc
from tests.e2e.rtc import Payload, Peer

pytestmark = pytest.mark.e2e

FRAMES = 10
WAIT_S = 20.0


class MemoryRelay:
    """What the stack's `call.signal` does, in memory: each payload as JSON text to the other side."""

    def __init__(self) -> None:
        self.carried: list[tuple[str, str]] = []

    def carry(self, sender: str, payload: Payload) -> Payload:
        text = json.dumps(payload)
        self.carried.append((sender, text))
        relayed: Payload = json.loads(text)
        return relayed


async def connected(caller: Peer, callee: Peer, relay: MemoryRelay, *, restart: bool = False) -> None:
    offer = relay.carry(caller.name, await caller.make_offer(restart=restart))
    answer = relay.carry(callee.name, await callee.accept_offer(offer))
    await caller.accept_answer(answer)


def test_the_synthetic_frame_carries_its_counter_and_tag() -> None:
    picture = rtc.draw(0xBEEF, rtc.tag_of("customer"))
    assert rtc.read(picture) == (0xBEEF, rtc.tag_of("customer"))
    assert rtc.read(np.zeros((rtc.HEIGHT, rtc.WIDTH), dtype=np.uint8)) is None


def test_two_peers_connected_through_a_relay_receive_each_others_frames_both_ways() -> None:
    async def scenario() -> dict[str, Any]:
        relay = MemoryRelay()
        async with Peer("customer") as customer, Peer("merchant") as merchant:
            assert rtc.loopback_patched()
            await connected(customer, merchant, relay)
            at_merchant, at_customer = await asyncio.gather(merchant.frames(FRAMES, WAIT_S),
                                                            customer.frames(FRAMES, WAIT_S))
            return {"relay": relay, "at_merchant": at_merchant, "at_customer": at_customer,
                    "offer": json.loads(relay.carried[0][1])}

    seen = asyncio.run(scenario())
    assert [kind for kind, _ in seen["relay"].carried] == ["customer", "merchant"], "one offer, one answer"
    assert "a=candidate:" in seen["offer"]["sdp"] and "127.0.0.1" in seen["offer"]["sdp"], "candidates in the SDP"
    assert {f.tag for f in seen["at_merchant"]} == {rtc.tag_of("customer")}
    assert {f.tag for f in seen["at_customer"]} == {rtc.tag_of("merchant")}
    assert rtc.live(seen["at_merchant"]) and rtc.live(seen["at_customer"]), "frames keep coming"
    assert not rtc.loopback_patched(), "aioice is restored once the last peer is closed"
    assert aioice.ice.get_host_addresses is rtc._original_host_addresses


def test_after_a_drop_a_restart_offer_through_the_relay_brings_the_frames_back() -> None:
    async def scenario() -> tuple[list[rtc.Frame], list[rtc.Frame], int, int]:
        relay = MemoryRelay()
        async with Peer("customer") as customer, Peer("merchant") as merchant:
            await connected(customer, merchant, relay)
            before = await merchant.frames(3, WAIT_S)
            await customer.drop()  # the phone lost its network: no signal, the media stops
            await asyncio.sleep(0.5)
            await connected(customer, merchant, relay, restart=True)
            after, back_at_customer = await asyncio.gather(merchant.frames(FRAMES, WAIT_S),
                                                           customer.frames(FRAMES, WAIT_S))
            assert {f.generation for f in back_at_customer} == {2}, "over the customer's new connection"
            return before, after, customer.generation, merchant.generation

    before, after, customer_generation, merchant_generation = asyncio.run(scenario())
    assert (customer_generation, merchant_generation) == (2, 2), "both sides on fresh connections"
    assert {f.generation for f in after} == {2}
    assert min(f.counter for f in after) > max(f.counter for f in before), "the counter went on"


def test_a_second_offer_with_the_same_credentials_renegotiates_the_live_connection() -> None:
    async def scenario() -> tuple[int, int, str]:
        relay = MemoryRelay()
        async with Peer("customer") as customer, Peer("merchant") as merchant:
            await connected(customer, merchant, relay)
            await merchant.frames(3, WAIT_S)
            await connected(customer, merchant, relay)
            await merchant.frames(FRAMES, WAIT_S)
            return customer.generation, merchant.generation, merchant.connection_state

    assert asyncio.run(scenario()) == (1, 1, "connected")


def test_trickled_candidate_payloads_are_accepted_and_an_empty_one_ends_them() -> None:
    async def scenario() -> list[Payload]:
        relay = MemoryRelay()
        async with Peer("customer") as customer, Peer("merchant") as merchant:
            await connected(customer, merchant, relay)
            payloads = customer.candidate_payloads()
            for payload in payloads:
                assert await merchant.accept(relay.carry("customer", payload)) is None
            await merchant.frames(3, WAIT_S)
            return payloads

    payloads = asyncio.run(scenario())
    assert payloads[-1]["candidate"] == "" and len(payloads) >= 2
    assert all(p["candidate"].startswith("candidate:") for p in payloads[:-1])
    assert {p["sdpMid"] for p in payloads} == {"0"}


def test_frames_are_live_when_their_counters_move_on_even_with_a_repeat_or_a_late_one() -> None:
    def frames(*counters: int) -> list[rtc.Frame]:
        return [rtc.Frame(c, 1, 0.0, 1) for c in counters]

    assert rtc.live(frames(11, 12, 13, 14, 15, 16, 17, 16, 18, 19))
    assert not rtc.live(frames(5, 5, 5, 5, 5, 5)), "a frozen picture"
    assert not rtc.live(frames(9, 8, 7, 6, 5, 4)), "going backwards"
    assert not rtc.live([])

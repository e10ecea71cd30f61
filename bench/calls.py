"""Workflow 05 under load: N calls ringing out at once (how late is each `missed` after its ring
deadline, is any told twice or never?), then the signalling relay's latency terminal → terminal
at a realistic ICE burst.

Method (documented in bench/README.md, section `bench.calls`):
* A fresh stack (`--sweep-interval 60`). `--merchants` merchants, each with one connected console
  and `ring_s` set to `--ring-s` (`PUT /merchant/call-settings`); `--calls` customers, each with one
  connected terminal. Every terminal learns its connection id with `hello`.
* Ringing: every customer calls (`POST /calls`, customer i → merchant i mod merchants, at
  `--place-rate` calls/s, `--concurrency` at most in flight) and nobody answers; `--ring-s` is
  longer than the placing takes, so every call rings at once and their deadlines fall due at the
  placing rate. Lateness of each call = receipt of the customer's
  `call.status_changed` (`missed`) minus the `ring_deadline` of the call's view (same machine, same
  clock); the engine's `AlarmLateness` EMF lines for these calls are printed beside it. Doubled: more
  than one `missed` for a call at its customer (or at its merchant's console). Lost: no `missed` at
  the customer within `--margin` s of the deadline. The output says how many were ringing at once.
* Relay: `--connected` calls (customer i → merchant i, answered by the merchant's console with its
  connection id). In each of `--rounds` rounds every call's burst starts at a seeded moment within
  `--spread` s (calls are answered at different moments), and both of its sides send one SDP
  (`offer` from the customer, `answer` from the merchant, ≈ 4 KB) then trickle `--candidates`
  `candidate` payloads (≈ 200 bytes each) as a browser gathers them (`TRICKLE_MS`: host candidates
  at once, server-reflexive after a STUN round trip, relayed after the TURN allocations): the
  realistic ICE burst the target is for. Then one round with every burst at the same instant and
  back to back (`--stress-candidates`), reported without a target: the local stack's queue.
  Latency of each = receipt at the other terminal − the moment just before it was sent (one
  process, one clock). Every payload is unique (its SDP origin line, its candidate's foundation),
  so each receipt is matched to its send without adding fields to the payload. Rounds are `--gap`
  s apart, so the per-connection rate limit's window (50 actions / 5 s by default) is never what
  is measured.

    python -m bench.calls                 # 200 calls over 50 merchants (50/s, ring_s 5), 20 connected calls × 3 rounds
    python -m bench.calls --quick         # quick (QUICK_ARGS): 40 calls, 5 connected calls, 1 round
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from bench import plots
from bench.api import Api, ApiError, parse_iso_ms
from bench.report import Check, Out, Phases, at_most, none_of, print_checks, save, stack_options, wait_for
from bench.stack import LocalStack, emf_values, errors_logged, mib
from bench.stats import Summary
from bench.terminal import Received, Terminal, close_all, now_ms, open_all

RING_TARGET_P99_MS = 250.0
RELAY_TARGET_P99_MS = 50.0
QUICK_ARGS = ("--quick",)
"""The quick variant (`python -m bench.all --quick`)."""
QUICK = {"calls": 40, "merchants": 10, "connected": 5, "rounds": 1}
TRICKLE_MS = (0, 0, 0, 30, 30, 90, 90, 90)
"""When a browser trickles its candidates after its SDP (ms): host candidates at once, server-reflexive
ones after a STUN round trip, relayed ones after the TURN allocations; later ones 10 ms apart."""
MISSED = "missed"
SDP_BYTES = 4096
_serial = itertools.count(1_000_000_000)
"""Each SDP's session id and each candidate's foundation: every payload of a run is unique."""


# ── the payloads and the accounting (pure: what the unit tests check) ─────────────────────────

def sdp_text(kind: str, tag: str, size: int = SDP_BYTES) -> str:
    """An SDP of about `size` bytes, shaped like a browser's audio+video offer, unique by `tag`."""
    head = ["v=0", f"o=- {next(_serial)} 2 IN IP4 127.0.0.1", "s=-", "t=0 0",
            "a=group:BUNDLE 0 1", "a=extmap-allow-mixed", "a=msid-semantic: WMS bench"]
    media = []
    for mid, (name, port) in enumerate((("audio", 9), ("video", 9))):
        media += [f"m={name} {port} UDP/TLS/RTP/SAVPF 96 97 98 99 100 101 102", "c=IN IP4 0.0.0.0",
                  "a=rtcp:9 IN IP4 0.0.0.0", f"a=ice-ufrag:{tag[:8]}", "a=ice-pwd:" + "p" * 24,
                  "a=ice-options:trickle", "a=fingerprint:sha-256 " + ":".join(["AB"] * 32),
                  f"a=setup:{'actpass' if kind == 'offer' else 'active'}", f"a=mid:{mid}",
                  f"a=msid:bench {name}-{tag}", "a=sendrecv", "a=rtcp-mux", "a=rtcp-rsize"]
        media += [f"a=rtpmap:{pt} VP8/90000" if name == "video" else f"a=rtpmap:{pt} opus/48000/2"
                  for pt in range(96, 103)]
        media += [f"a=rtcp-fb:{pt} nack" for pt in range(96, 103)]
        media += [f"a=extmap:{n} urn:ietf:params:rtp-hdrext:sdes:mid" for n in range(1, 5)]
    text = "\r\n".join([*head, *media]) + "\r\n"
    filler = "a=x-bench-padding:" + "0" * 60 + "\r\n"
    while len(text) + len(filler) <= size:
        text += filler
    return text


def candidate_text(foundation: int, index: int) -> str:
    """A server-reflexive candidate line as a browser trickles it (≈ 150 characters)."""
    port = 40000 + index
    return (f"candidate:{foundation} 1 udp 1677729535 203.0.113.{index % 250 + 1} {port} typ srflx "
            f"raddr 192.168.1.{index % 250 + 1} rport {port} generation 0 ufrag EsAw network-id 1 network-cost 10")


def burst(side: str, call_number: int, round_number: int, candidates: int) -> list[dict[str, Any]]:
    """One side's burst: its SDP, then its candidates, each unique across the run."""
    tag = f"{side[0]}{call_number:04d}r{round_number:02d}{uuid.uuid4().hex[:6]}"
    sdp = {"type": "offer" if side == "customer" else "answer",
           "sdp": sdp_text("offer" if side == "customer" else "answer", tag)}
    return [sdp, *({"type": "candidate", "candidate": candidate_text(next(_serial), k), "sdpMid": "0",
                    "sdpMLineIndex": 0} for k in range(candidates))]


def trickle_offsets_ms(candidates: int) -> list[int]:
    """Each candidate's moment after its SDP, as a browser gathers them (`TRICKLE_MS`)."""
    return [TRICKLE_MS[k] if k < len(TRICKLE_MS) else TRICKLE_MS[-1] + 10 * (k - len(TRICKLE_MS) + 1)
            for k in range(candidates)]


def payload_key(payload: Mapping[str, Any]) -> str:
    """What tells one payload of the run from every other."""
    return str(payload.get("sdp") or payload.get("candidate"))


@dataclass(frozen=True)
class Sent:
    call_id: str
    side: str
    """Who sent it: "customer" or "merchant"."""
    key: str
    at_ms: float


@dataclass
class RelayAccounting:
    latency_ms: list[float] = field(default_factory=list)
    timeline: list[tuple[float, float]] = field(default_factory=list)
    """(send time, latency) of every payload delivered."""
    undelivered: list[Sent] = field(default_factory=list)
    doubled: int = 0
    misrouted: int = 0
    """Received by a terminal of a call it was not sent in, or from the wrong side."""
    reordered: int = 0
    """Deliveries that came before one sent earlier on the same call and side."""


def account_relay(sent: Sequence[Sent], received: Iterable[tuple[str, str, str, float]]) -> RelayAccounting:
    """`received`: (call id, from, payload key, receipt ms) of each `call.signalled` at a terminal."""
    result = RelayAccounting()
    by_key = {s.key: s for s in sent}
    first: dict[str, float] = {}
    for call_id, side, key, at in received:
        one = by_key.get(key)
        if one is None or one.call_id != call_id or one.side != side:
            result.misrouted += 1
            continue
        if key in first:
            result.doubled += 1
            continue
        first[key] = at
        result.latency_ms.append(at - one.at_ms)
    start = min((s.at_ms for s in sent), default=0.0)
    for one in sent:
        if one.key in first:
            result.timeline.append(((one.at_ms - start) / 1000, first[one.key] - one.at_ms))
        else:
            result.undelivered.append(one)
    streams: dict[tuple[str, str], list[Sent]] = {}
    for one in sent:
        streams.setdefault((one.call_id, one.side), []).append(one)
    for stream in streams.values():
        arrivals = [first[s.key] for s in sorted(stream, key=lambda s: s.at_ms) if s.key in first]
        result.reordered += sum(1 for a, b in itertools.pairwise(arrivals) if b < a)
    return result


@dataclass
class RingAccounting:
    lateness_ms: list[float] = field(default_factory=list)
    timeline: list[tuple[float, float]] = field(default_factory=list)
    doubled: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    wrong: list[tuple[str, str]] = field(default_factory=list)
    """(call, status) of every `call.status_changed` that was not `missed`."""


def account_ringing(deadlines: Mapping[str, int], customer_pushes: Iterable[tuple[str, str, float]],
                    merchant_pushes: Iterable[tuple[str, str, float]], margin_ms: float) -> RingAccounting:
    """`deadlines`: call → ring deadline (epoch ms); pushes: (call, status, receipt ms) of each
    `call.status_changed` at the customers' and at the merchants' terminals."""
    result = RingAccounting()
    at_customer: dict[str, list[float]] = {}
    for call_id, status, at in customer_pushes:
        if call_id not in deadlines:
            continue
        if status != MISSED:
            result.wrong.append((call_id, status))
            continue
        at_customer.setdefault(call_id, []).append(at)
    at_merchant = Counter(call_id for call_id, status, _ in merchant_pushes
                          if status == MISSED and call_id in deadlines)
    start = min(deadlines.values(), default=0)
    for call_id, deadline in deadlines.items():
        times = sorted(at_customer.get(call_id, []))
        if len(times) > 1 or at_merchant[call_id] > 1:
            result.doubled.append(call_id)
        if not times or times[0] - deadline > margin_ms:
            result.lost.append(call_id)
            continue
        result.lateness_ms.append(times[0] - deadline)
        result.timeline.append(((deadline - start) / 1000, times[0] - deadline))
    return result


def most_at_once(intervals: Iterable[tuple[float, float]]) -> int:
    """The most intervals [start, end) open at one moment."""
    spans = list(intervals)  # read twice below: a generator would give its ends nothing
    events = sorted([(s, 1) for s, _ in spans] + [(e, -1) for _, e in spans])
    open_now = most = 0
    for _, step in events:
        open_now += step
        most = max(most, open_now)
    return most


# ── the run ──────────────────────────────────────────────────────────────────────────────────

class SignallingTerminal(Terminal):
    """A bench terminal that also sends (hello, call.signal)."""

    async def send(self, message: Mapping[str, Any]) -> float:
        """Sends; the send moment (epoch ms), taken just before the frame is written."""
        assert self._connection is not None
        text = json.dumps(message)
        at = now_ms()
        await self._connection.send(text)
        return at

    def of_call(self, message_type: str, call_id: str) -> list[Received]:
        return [r for r in self.of_type(message_type) if r.data.get("call_id") == call_id]


async def hello(terminal: SignallingTerminal, timeout_s: float = 30.0) -> str:
    await terminal.send({"action": "hello"})
    until = now_ms() + timeout_s * 1000
    if not await wait_for(lambda: bool(terminal.of_type("connection.identified")), until):
        raise RuntimeError(f"{terminal.name}: no hello reply")
    return str(terminal.of_type("connection.identified")[-1].data["connection_id"])


async def gathered(count: int, concurrency: int, one: Any) -> list[Any]:
    gate = asyncio.Semaphore(concurrency)

    async def gated(index: int) -> Any:
        async with gate:
            return await one(index)

    return list(await asyncio.gather(*(gated(index) for index in range(count))))


@dataclass
class Party:
    token: str
    terminal: SignallingTerminal
    connection_id: str = ""


@dataclass
class Ringing:
    deadlines: dict[str, int] = field(default_factory=dict)
    created: dict[str, int] = field(default_factory=dict)
    merchant_of: dict[str, int] = field(default_factory=dict)
    customer_of: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    place_s: float = 0.0
    place_latency_ms: list[float] = field(default_factory=list)


@dataclass
class Relay:
    calls: list[tuple[str, int]] = field(default_factory=list)
    """(call id, index of its customer and merchant)."""
    sent: list[Sent] = field(default_factory=list)
    lone: list[Sent] = field(default_factory=list)
    """The lone signals (not in `sent`)."""
    stress: list[Sent] = field(default_factory=list)
    """The round of every burst at once (not in `sent`)."""
    errors: list[str] = field(default_factory=list)
    refused: Counter[str] = field(default_factory=Counter)
    """`error` replies received during the bursts, by problem."""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.calls", description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200, help="calls ringing out (one customer terminal each)")
    parser.add_argument("--merchants", type=int, default=50, help="merchants, one connected console each")
    parser.add_argument("--ring-s", type=int, default=5,
                        help="each merchant's ring_s (longer than placing takes: every call rings at once)")
    parser.add_argument("--place-rate", type=float, default=50.0,
                        help="calls placed per second (their ring deadlines fall due at that rate)")
    parser.add_argument("--connected", type=int, default=20, help="connected calls for the relay measurement")
    parser.add_argument("--rounds", type=int, default=3, help="bursts per side of each connected call")
    parser.add_argument("--candidates", type=int, default=8,
                        help="candidate payloads per burst (after its SDP), trickled as a browser gathers them")
    parser.add_argument("--spread", type=float, default=2.0,
                        help="seconds over which the calls' bursts start in a round (calls answered at different "
                             "moments)")
    parser.add_argument("--stress-candidates", type=int, default=15,
                        help="after the rounds, one round of every burst at once and back to back with this many "
                             "candidates (reported, no target; 0: none)")
    parser.add_argument("--gap", type=float, default=5.5, help="seconds between rounds (> the rate limit's window)")
    parser.add_argument("--lone", type=int, default=20,
                        help="after the rounds, this many lone candidates in the first call, 100 ms apart, "
                             "alternating sides (the relay's latency with nothing queued before it)")
    parser.add_argument("--concurrency", type=int, default=16, help="setup requests at once")
    parser.add_argument("--quick", action="store_true",
                        help="quick: " + ", ".join(f"--{k} {v}" for k, v in QUICK.items()))
    stack_options(parser, "calls", margin="seconds after a ring deadline before a call counts as lost")
    args = parser.parse_args(argv)
    if args.quick:
        for name, value in QUICK.items():
            setattr(args, name, value)
    if args.connected > min(args.merchants, args.calls):
        parser.error("--connected must be at most --merchants and --calls (one call per console and phone)")
    return args


async def setup(api: Api, args: argparse.Namespace, ws: str) -> tuple[str, list[Party], list[Party]]:
    ops = await api.token("ops", "bench-ops")

    async def merchant(j: int) -> Party:
        merchant_id = f"m_call{j}"
        await api.call("POST", "/merchants", ops, {"merchant_id": merchant_id, "name": f"Bench call shop {j}",
                                                    "time_zone": "Asia/Shanghai", "currency": "CNY"})
        token = await api.token("merchant", f"call_staff_{j}", merchant_id)
        await api.call("PUT", "/merchant/call-settings", token, {"ring_s": args.ring_s})
        return Party(token, SignallingTerminal(f"console_{j}", ws, token))

    async def customer(i: int) -> Party:
        token = await api.token("customer", f"call_c{i}")
        return Party(token, SignallingTerminal(f"phone_{i}", ws, token))

    merchants = await gathered(args.merchants, 8, merchant)
    customers = await gathered(args.calls, 8, customer)
    everyone = [p.terminal for p in (*merchants, *customers)]
    await open_all(everyone)

    async def learn(index: int) -> None:
        party = (*merchants, *customers)[index]
        party.connection_id = await hello(party.terminal)

    await gathered(len(everyone), args.concurrency, learn)
    return ops, merchants, customers


async def ring_all(api: Api, args: argparse.Namespace, merchants: list[Party], customers: list[Party]) -> Ringing:
    ringing = Ringing()
    started = time.monotonic()

    async def one(i: int) -> None:
        j = i % len(merchants)
        wait = started + i / args.place_rate - time.monotonic()  # customers calling at a steady rate
        if wait > 0:
            await asyncio.sleep(wait)
        sent = now_ms()
        try:
            view = await api.call("POST", "/calls", customers[i].token,
                                  {"merchant_id": f"m_call{j}", "connection_id": customers[i].connection_id},
                                  {"Idempotency-Key": uuid.uuid4().hex}, expect=(201,))
        except (ApiError, OSError) as exc:
            ringing.errors.append(str(exc)[:200] or type(exc).__name__)
            return
        ringing.place_latency_ms.append(now_ms() - sent)
        call_id = str(view["call_id"])
        ringing.deadlines[call_id] = parse_iso_ms(str(view["ring_deadline"]))
        ringing.created[call_id] = parse_iso_ms(str(view["created_at"]))
        ringing.merchant_of[call_id], ringing.customer_of[call_id] = j, i

    await gathered(len(customers), args.concurrency, one)
    ringing.place_s = time.monotonic() - started
    return ringing


def status_pushes(terminals: Iterable[SignallingTerminal]) -> list[tuple[str, str, float]]:
    return [(str(r.data.get("call_id")), str(r.data.get("status")), r.at_ms)
            for t in terminals for r in t.of_type("call.status_changed")]


async def connect_calls(api: Api, args: argparse.Namespace, merchants: list[Party], customers: list[Party],
                        relay: Relay) -> None:
    async def one(i: int) -> None:
        try:
            view = await api.call("POST", "/calls", customers[i].token,
                                  {"merchant_id": f"m_call{i}", "connection_id": customers[i].connection_id},
                                  {"Idempotency-Key": uuid.uuid4().hex}, expect=(201,))
            call_id = str(view["call_id"])
            await api.call("POST", f"/merchant/calls/{call_id}/answer", merchants[i].token,
                           {"connection_id": merchants[i].connection_id})
            if not await wait_for(lambda: bool(customers[i].terminal.of_call("call.connected", call_id)),
                                  now_ms() + 15_000):
                raise RuntimeError(f"{call_id}: no call.connected at the customer")
            relay.calls.append((call_id, i))
        except (ApiError, OSError, RuntimeError) as exc:
            relay.errors.append(str(exc)[:200] or type(exc).__name__)

    await gathered(args.connected, args.concurrency, one)


async def burst_all(args: argparse.Namespace, merchants: list[Party], customers: list[Party], relay: Relay,
                    round_number: int, *, stress: bool = False) -> list[Sent]:
    """One round: each call's two sides send an SDP and trickle their candidates, the calls starting
    at seeded moments over `--spread` s; `stress`: every burst at once, back to back."""
    sent: list[Sent] = []
    starts = random.Random(round_number)
    candidates = args.stress_candidates if stress else args.candidates

    async def side(call_id: str, i: int, name: str, start_s: float) -> None:
        terminal = (customers if name == "customer" else merchants)[i].terminal
        payloads = burst(name, i, round_number, candidates)
        offsets = [0] * len(payloads) if stress else [0, *trickle_offsets_ms(candidates)]
        begun = time.monotonic() + start_s
        for payload, offset_ms in zip(payloads, offsets, strict=True):
            wait = begun + offset_ms / 1000 - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            at = await terminal.send({"action": "call.signal", "call_id": call_id, "payload": payload})
            sent.append(Sent(call_id, name, payload_key(payload), at))

    plan = [(call_id, i, 0.0 if stress else starts.uniform(0, args.spread)) for call_id, i in relay.calls]
    await asyncio.gather(*(side(call_id, i, name, start) for call_id, i, start in plan
                           for name in ("customer", "merchant")))
    return sent


async def lone_signals(args: argparse.Namespace, merchants: list[Party], customers: list[Party],
                       relay: Relay) -> None:
    """One signal at a time, 100 ms apart: what a signal costs with nothing queued before it."""
    if not relay.calls or args.lone <= 0:
        return
    call_id, i = relay.calls[0]
    for k in range(args.lone):
        name = ("customer", "merchant")[k % 2]
        terminal = (customers if name == "customer" else merchants)[i].terminal
        payload = burst(name, i, 99, 1)[1]
        at = await terminal.send({"action": "call.signal", "call_id": call_id, "payload": payload})
        relay.lone.append(Sent(call_id, name, payload_key(payload), at))
        await asyncio.sleep(0.1)


def signal_receipts(relay: Relay, merchants: list[Party], customers: list[Party]) -> list[tuple[str, str, str, float]]:
    terminals = [customers[i].terminal for _, i in relay.calls] + [merchants[i].terminal for _, i in relay.calls]
    return [(str(r.data.get("call_id")), str(r.data.get("from")), payload_key(r.data.get("payload") or {}), r.at_ms)
            for t in terminals for r in t.of_type("call.signalled")]


async def run(args: argparse.Namespace) -> None:
    out = Out()
    phases = Phases()
    relay = Relay()
    with LocalStack(sweep_interval_s=args.sweep_interval, log_name="calls-stack",
                    extra_args=tuple(args.stack_arg)) as stack:
        out(f"stack: {' '.join(stack.command[1:])}\n       {stack.urls}")
        api = Api(stack.urls.rest)
        merchants: list[Party] = []
        customers: list[Party] = []
        try:
            started = time.monotonic()
            _, merchants, customers = await setup(api, args, stack.urls.ws)
            out(f"setup: {args.merchants} merchants (ring_s {args.ring_s}, one console each), {args.calls} customer "
                f"terminals, every connection id from hello, in {time.monotonic() - started:.1f} s")
            await phases.mark(stack, "ring")
            ringing = await ring_all(api, args, merchants, customers)
            last_deadline = max(ringing.deadlines.values(), default=int(now_ms()))
            consoles = [m.terminal for m in merchants]
            phones = [c.terminal for c in customers]

            def all_told() -> bool:
                told = {c for c, s, _ in status_pushes(phones) if s == MISSED}
                return set(ringing.deadlines) <= told

            await wait_for(all_told, last_deadline + args.margin * 1000)
            await asyncio.sleep(1.0)  # a second `missed` would come soon after the first
            await phases.mark(stack, "rung")
            deadlines = ringing.deadlines
            ring = account_ringing(deadlines, status_pushes(phones), status_pushes(consoles), args.margin * 1000)
            at_once = most_at_once((ringing.created[c], deadlines[c]) for c in deadlines)

            await connect_calls(api, args, merchants, customers, relay)
            await phases.mark(stack, "relay")
            for round_number in range(args.rounds):
                if round_number:
                    await asyncio.sleep(args.gap)
                errors_before = Counter(str(r.data.get("problem")) for t in (*phones, *consoles)
                                        for r in t.of_type("error"))
                relay.sent += await burst_all(args, merchants, customers, relay, round_number)
                await wait_for(lambda: {s.key for s in relay.sent}
                               <= {k for _, _, k, _ in signal_receipts(relay, merchants, customers)},
                               now_ms() + 10_000)
                errors_after = Counter(str(r.data.get("problem")) for t in (*phones, *consoles)
                                       for r in t.of_type("error"))
                relay.refused.update(errors_after - errors_before)
            await phases.mark(stack, "relayed")
            signals = account_relay(relay.sent, signal_receipts(relay, merchants, customers))
            if args.stress_candidates > 0 and relay.calls:
                await asyncio.sleep(args.gap)
                relay.stress = await burst_all(args, merchants, customers, relay, args.rounds, stress=True)
                await wait_for(lambda: {s.key for s in relay.stress}
                               <= {k for _, _, k, _ in signal_receipts(relay, merchants, customers)},
                               now_ms() + 15_000)
            stress_keys = {s.key for s in relay.stress}
            stress = account_relay(relay.stress, [r for r in signal_receipts(relay, merchants, customers)
                                                  if r[2] in stress_keys])
            if args.lone > 0 and relay.calls:
                await asyncio.sleep(args.gap)
                await lone_signals(args, merchants, customers, relay)
                await wait_for(lambda: {s.key for s in relay.lone}
                               <= {k for _, _, k, _ in signal_receipts(relay, merchants, customers)},
                               now_ms() + 5_000)
            lone_keys = {s.key for s in relay.lone}
            lone = account_relay(relay.lone, [r for r in signal_receipts(relay, merchants, customers)
                                              if r[2] in lone_keys])
            for call_id, i in relay.calls:
                try:
                    await api.call("POST", f"/merchant/calls/{call_id}/hangup", merchants[i].token)
                except ApiError as exc:
                    relay.errors.append(str(exc)[:200])
        finally:
            await close_all([p.terminal for p in (*merchants, *customers)])
            await api.close()
        documents = stack.json_lines()
    report(args, out, ringing, ring, at_once, relay, signals, lone, stress, documents, phases)


def report(args: argparse.Namespace, out: Out, ringing: Ringing, ring: RingAccounting, at_once: int, relay: Relay,
           signals: RelayAccounting, lone: RelayAccounting, stress: RelayAccounting, documents: list[dict[str, Any]],
           phases: Phases) -> None:
    lateness = Summary.of(ring.lateness_ms)
    firings = [d for d in emf_values(documents, "AlarmLateness") if d.get("entity_id") in ringing.deadlines]
    server = Summary.of([float(d["AlarmLateness"]) for d in firings])
    relayed = Summary.of(signals.latency_ms)
    alone = Summary.of(lone.latency_ms)
    crowded = Summary.of(stress.latency_ms)
    ring_cpu = phases.cpu_between("ring", "rung")
    relay_cpu = phases.cpu_between("relay", "relayed")
    payload_sizes = sorted({len(json.dumps(p)) for p in burst("customer", 0, 0, 2)})
    logged = errors_logged(documents)

    out()
    out(f"ringing          {len(ringing.deadlines)}/{args.calls} calls placed in {ringing.place_s:.1f} s "
        f"(POST /calls {Summary.of(ringing.place_latency_ms).line()}); errors {len(ringing.errors)}; at most "
        f"{at_once} ringing at once (ring_s {args.ring_s})")
    out(f"missed lateness  {lateness.line()}   (customer's receipt of call.status_changed − ring_deadline)")
    out(f"ring alarm fire  {server.line()}   (AlarmLateness EMF of these calls)")
    out(f"doubled          {len(ring.doubled)} calls told missed more than once; lost {len(ring.lost)} (no missed "
        f"within {args.margin:.0f} s); other statuses {len(ring.wrong)}")
    out(f"relay            {len(relay.calls)}/{args.connected} calls connected, {args.rounds} round(s) of "
        f"1 SDP + {args.candidates} candidates per side trickled at {trickle_offsets_ms(args.candidates)} ms, the "
        f"calls starting over {args.spread:g} s (payloads as JSON: SDP ≈ {payload_sizes[-1]:,} B, candidate ≈ "
        f"{payload_sizes[0]} B); {len(relay.sent)} sent; errors {len(relay.errors)}")
    out(f"relay latency    {relayed.line(digits=1)}   (receipt at the other terminal − send)")
    if relay.stress:
        out(f"all at once      {crowded.line(digits=1)}   (one round: every call's two sides at the same instant, "
            f"1 SDP + {args.stress_candidates} candidates back to back, {len(relay.stress)} signals in flight; "
            f"{len(stress.undelivered) + stress.doubled + stress.misrouted} not delivered once; no target)")
    out(f"lone signal      {alone.line(digits=1)}   ({len(relay.lone)} one at a time, 100 ms apart; "
        f"{len(lone.undelivered)} undelivered)")
    out(f"relay accounting undelivered {len(signals.undelivered)}, doubled {signals.doubled}, misrouted "
        f"{signals.misrouted}, out of order {signals.reordered}; refused "
        + (", ".join(f"{k} ×{v}" for k, v in relay.refused.items()) or "none"))
    out(f"stack CPU        ringing {ring_cpu:.1f} s ({ring_cpu * 1000 / max(1, len(ringing.deadlines)):.0f} ms a "
        f"call, placing included); relay {relay_cpu:.1f} s ({relay_cpu * 1000 / max(1, len(relay.sent)):.1f} ms a "
        f"signal); peak RSS {mib(phases.stats['relayed'].peak_rss_bytes):.0f} MiB")
    calls = phases.calls_between("relay", "relayed")
    per_signal = max(1, len(relay.sent))
    out("AWS calls/signal " + ", ".join(f"{name} {count / per_signal:.2f}" for name, count in calls.items()))
    if logged:
        out(f"errors logged    {sum(logged.values())}: " + "; ".join(f"{k} ×{v}" for k, v in list(logged.items())[:3]))
    out()
    checks: list[Check] = [
        at_most("ring deadline → missed at the customer, p99", lateness.p99, RING_TARGET_P99_MS),
        none_of("calls told missed more than once", len(ring.doubled)),
        none_of("calls never told missed (or not placed)", len(ring.lost) + len(ringing.errors) + len(ring.wrong)),
        at_most("signal relay terminal → terminal, p99", relayed.p99, RELAY_TARGET_P99_MS),
        none_of("signals not delivered once to the other party",
                len(signals.undelivered) + signals.doubled + signals.misrouted + len(relay.errors)
                + len(stress.undelivered) + stress.doubled + stress.misrouted),
    ]
    print_checks(out, checks)
    if not checks[3].passed and alone.count:
        cpu_ms = relay_cpu * 1000 / max(1, len(relay.sent))
        out(f"floor: a lone signal takes ≈ {alone.p50:.0f} ms (p50) terminal to terminal, ≈ {cpu_ms:.1f} ms of stack "
            f"CPU; signals sent at the same moment queue in the stack's two processes (in AWS each message is "
            f"its own Lambda invocation)")
    panels = [
        plots.cdf("ring deadline → missed", {"customer receipt − ring_deadline": ring.lateness_ms,
                                             "engine fire − wake_at": [float(d["AlarmLateness"]) for d in firings]},
                  targets={f"p99 ≤ {RING_TARGET_P99_MS:,.0f} ms": RING_TARGET_P99_MS}),
        plots.cdf("call.signal relay", {"trickled bursts: receipt − send": signals.latency_ms,
                                        "alone: receipt − send": lone.latency_ms,
                                        "all at once (no target)": stress.latency_ms},
                  targets={f"p99 ≤ {RELAY_TARGET_P99_MS:,.0f} ms": RELAY_TARGET_P99_MS}),
    ]
    body = {
        "args": vars(args),
        "ringing": {"placed": len(ringing.deadlines), "errors": ringing.errors[:10], "place_s": ringing.place_s,
                    "place_latency_ms": asdict(Summary.of(ringing.place_latency_ms)), "most_at_once": at_once,
                    "lateness_ms": asdict(lateness), "fire_lateness_ms": asdict(server),
                    "doubled": ring.doubled[:50], "lost": ring.lost[:50], "wrong": ring.wrong[:50],
                    "stack_cpu_s": ring_cpu},
        "relay": {"connected": len(relay.calls), "sent": len(relay.sent), "errors": relay.errors[:10],
                  "latency_ms": asdict(relayed), "lone_latency_ms": asdict(alone),
                  "all_at_once_latency_ms": asdict(crowded), "all_at_once_sent": len(relay.stress),
                  "lone_undelivered": len(lone.undelivered), "undelivered": len(signals.undelivered),
                  "doubled": signals.doubled,
                  "misrouted": signals.misrouted, "reordered": signals.reordered, "refused": dict(relay.refused),
                  "stack_cpu_s": relay_cpu, "aws_calls": calls},
        "peak_rss_bytes": phases.stats["relayed"].peak_rss_bytes, "errors_logged": logged,
    }
    out("(a shared machine's figures are noisy: the lead measures on a quiet machine)")
    save(args.out, body, checks, panels, lines=out.lines,
         title=f"bench.calls: {len(ringing.deadlines)} calls ringing out, {len(relay.sent):,} signals relayed")


def main(argv: list[str] | None = None) -> None:
    asyncio.run(run(parse_args(argv)))


if __name__ == "__main__":
    main()

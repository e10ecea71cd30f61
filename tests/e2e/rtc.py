"""A real WebRTC peer (aiortc) for the call tests and the calls benchmark.

A `Peer` sends a synthetic video track whose frames carry, drawn as black and white blocks, a
frame counter and the peer's tag; it keeps every remote frame it decodes (counter, tag, receipt
time), so a test can tell that video really came from the other side and kept coming. It speaks
the `call.signal` payloads of the calls API: `{"type": "offer"|"answer", "sdp"}` and, for
completeness, `{"type": "candidate", "candidate", "sdpMid", "sdpMLineIndex"}`. aiortc does not
trickle: its candidates travel inside the SDP, so an offer or an answer alone connects.

Two things every aiortc test on one machine needs, done here once:

* no ICE servers (`RTCConfiguration(iceServers=[])`): aiortc's default is a public STUN host;
* loopback host candidates: aioice leaves 127.0.0.1 out when gathering, and a machine with no
  other interface (or a firewall between them) would connect nowhere. `loopback_only()` patches
  `aioice.ice.get_host_addresses` to offer 127.0.0.1 alone, for as long as any `Peer` is open
  (counted, so nested and concurrent peers share one patch, and the last one closed restores it).

aiortc cannot restart ICE on a live connection. A "restart" (the drop-and-rejoin of a call) is
therefore a fresh `RTCPeerConnection` on the side that rejoins (`make_offer(restart=True)`); the
other side sees an offer with new ICE credentials and answers it from a fresh connection too. An
offer with the same credentials is an ordinary renegotiation on the live connection.

The peer is asyncio; a synchronous test drives it through `LoopThread` (`loop.run(peer.make_offer())`).
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import threading
import time
import zlib
from collections.abc import Awaitable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, TypeVar

import aioice.ice
import numpy as np
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription, VideoStreamTrack
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from aiortc.sdp import candidate_from_sdp
from av import VideoFrame

T = TypeVar("T")
Payload = dict[str, Any]

WIDTH, HEIGHT = 160, 120
"""Small: two peers encode and decode VP8 on a shared 2-core machine."""
FPS = 15
BITS = 16
"""Counter and tag bits, one block each per row."""
_BLOCK_W = WIDTH // BITS
_ROW_H = HEIGHT // 3  # row 0: the counter, row 1: the tag, row 2: always white (a reference)
VIDEO_CLOCK_RATE = 90_000
TIME_BASE = fractions.Fraction(1, VIDEO_CLOCK_RATE)


# ── loopback host candidates ────────────────────────────────────────────────────────────────

_patch_lock = threading.Lock()
_patch_users = 0
_original_host_addresses = aioice.ice.get_host_addresses


def _loopback_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
    return ["127.0.0.1"] if use_ipv4 else ["::1"]


def acquire_loopback() -> None:
    """Make aioice gather the loopback address only (until a matching `release_loopback`)."""
    global _patch_users
    with _patch_lock:
        _patch_users += 1
        aioice.ice.get_host_addresses = _loopback_addresses


def release_loopback() -> None:
    global _patch_users
    with _patch_lock:
        _patch_users = max(0, _patch_users - 1)
        if _patch_users == 0:
            aioice.ice.get_host_addresses = _original_host_addresses


@contextlib.contextmanager
def loopback_only() -> Iterator[None]:
    """Loopback host candidates while inside (counted with every open `Peer`)."""
    acquire_loopback()
    try:
        yield
    finally:
        release_loopback()


def loopback_patched() -> bool:
    return aioice.ice.get_host_addresses is _loopback_addresses


# ── the synthetic video ──────────────────────────────────────────────────────────────────────

def tag_of(name: str) -> int:
    """A peer's 16-bit tag, drawn into every frame it sends."""
    return zlib.crc32(name.encode()) & 0xFFFF


def draw(counter: int, tag: int) -> np.ndarray[Any, Any]:
    """A grey (luma) picture: the counter's bits, the tag's bits, a white reference row."""
    picture = np.full((HEIGHT, WIDTH), 16, dtype=np.uint8)
    for row, value in ((0, counter), (1, tag)):
        for bit in range(BITS):
            if value >> (BITS - 1 - bit) & 1:
                picture[row * _ROW_H:(row + 1) * _ROW_H, bit * _BLOCK_W:(bit + 1) * _BLOCK_W] = 235
    picture[2 * _ROW_H:, :] = 235
    return picture


def read(picture: np.ndarray[Any, Any]) -> tuple[int, int] | None:
    """(counter, tag) from a decoded luma picture, None when it is not one of ours (e.g. scaled)."""
    if picture.shape != (HEIGHT, WIDTH) or picture[2 * _ROW_H + _ROW_H // 2, WIDTH // 2] < 128:
        return None
    values = []
    for row in (0, 1):
        y = row * _ROW_H + _ROW_H // 2
        value = 0
        for bit in range(BITS):
            value = value << 1 | int(picture[y, bit * _BLOCK_W + _BLOCK_W // 2] >= 128)
        values.append(value)
    return values[0], values[1]


class CounterTrack(VideoStreamTrack):
    """`FPS` frames a second, each with the next counter value and the sender's tag."""

    def __init__(self, tag: int, first: int = 0) -> None:
        super().__init__()
        self.tag = tag
        self.counter = first
        self._started: float | None = None
        self._sent = 0

    async def recv(self) -> VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._started is None:
            self._started = time.monotonic()
        else:
            await asyncio.sleep(max(0.0, self._started + self._sent / FPS - time.monotonic()))
        picture = draw(self.counter & 0xFFFF, self.tag)
        frame = VideoFrame.from_ndarray(np.stack([picture] * 3, axis=-1), format="rgb24").reformat(format="yuv420p")
        frame.pts = self._sent * VIDEO_CLOCK_RATE // FPS
        frame.time_base = TIME_BASE
        self.counter += 1
        self._sent += 1
        return frame


@dataclass(frozen=True)
class Frame:
    """A remote video frame as this peer decoded it."""

    counter: int
    tag: int
    received_at: float
    """`time.time()` when decoded."""
    generation: int
    """Which of this peer's connections it came over (1 for the first; +1 per restart)."""


def live(frames: list[Frame]) -> bool:
    """Whether these frames are moving video: the counter goes on (a decoder may repeat a frame or
    hand one over late after a retransmission, so not strictly one by one), no frozen picture."""
    counters = [f.counter for f in frames]
    return len(counters) >= 2 and counters[-1] > counters[0] and len(set(counters)) >= len(counters) // 2 + 1


# ── the peer ────────────────────────────────────────────────────────────────────────────────

def _ufrag(sdp: str) -> str | None:
    for line in sdp.splitlines():
        if line.startswith("a=ice-ufrag:"):
            return line.split(":", 1)[1].strip()
    return None


class Peer:
    """One side of a call: a connection sending `CounterTrack` video and keeping the remote frames."""

    def __init__(self, name: str, ice_servers: list[dict[str, Any]] | None = None) -> None:
        self.name = name
        self.tag = tag_of(name)
        self.ice_servers = list(ice_servers or [])
        self.frames_received: list[Frame] = []
        self.generation = 0
        self._counter = 0
        self._arrived = asyncio.Event()
        self._readers: set[asyncio.Task[None]] = set()
        self._track: CounterTrack | None = None
        self._closed = False
        acquire_loopback()
        try:
            self.pc = self._new_connection()
        except BaseException:
            release_loopback()
            raise

    # The calls API's `ice_servers` are RTCIceServer dicts; a local stage gives none (loopback).
    def _configuration(self) -> RTCConfiguration:
        from aiortc import RTCIceServer

        servers = [RTCIceServer(urls=s["urls"], username=s.get("username"), credential=s.get("credential"))
                   for s in self.ice_servers]
        return RTCConfiguration(iceServers=servers)

    def _new_connection(self) -> RTCPeerConnection:
        self.generation += 1
        generation = self.generation
        pc = RTCPeerConnection(self._configuration())
        if self._track is not None:
            self._counter = self._track.counter
        self._track = CounterTrack(self.tag, self._counter)
        pc.addTrack(self._track)

        @pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            if track.kind == "video":
                reader = asyncio.ensure_future(self._read(track, generation))
                self._readers.add(reader)
                reader.add_done_callback(self._readers.discard)

        return pc

    async def _read(self, track: MediaStreamTrack, generation: int) -> None:
        with contextlib.suppress(MediaStreamError, asyncio.CancelledError):
            while True:
                frame = await track.recv()
                if not isinstance(frame, VideoFrame):
                    continue
                decoded = read(frame.to_ndarray(format="gray"))
                if decoded is not None:
                    self.frames_received.append(Frame(decoded[0], decoded[1], time.time(), generation))
                    self._arrived.set()

    async def _restart(self) -> None:
        old = self.pc
        self.pc = self._new_connection()
        await old.close()

    @property
    def connection_state(self) -> str:
        return str(self.pc.connectionState)

    async def make_offer(self, *, restart: bool = False) -> Payload:
        """`{"type": "offer", "sdp"}`, candidates included; `restart`: from a fresh connection (new
        ICE credentials and DTLS), as after a drop."""
        if restart:
            await self._restart()
        await self.pc.setLocalDescription(await self.pc.createOffer())
        return {"type": "offer", "sdp": self.pc.localDescription.sdp}

    async def accept_offer(self, offer: Payload) -> Payload:
        """The answer to `offer`. An offer with other ICE credentials than the live connection's
        remote ones is a restart: answered from a fresh connection."""
        if offer.get("type") != "offer":
            raise ValueError(f"not an offer: {offer.get('type')!r}")
        remote = self.pc.remoteDescription
        if remote is not None and _ufrag(remote.sdp) != _ufrag(str(offer["sdp"])):
            await self._restart()
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=str(offer["sdp"]), type="offer"))
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        return {"type": "answer", "sdp": self.pc.localDescription.sdp}

    async def accept_answer(self, answer: Payload) -> None:
        if answer.get("type") != "answer":
            raise ValueError(f"not an answer: {answer.get('type')!r}")
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=str(answer["sdp"]), type="answer"))

    async def accept(self, payload: Payload) -> Payload | None:
        """Any signal payload; the reply to send back, if there is one (an offer's answer)."""
        kind = payload.get("type")
        if kind == "offer":
            return await self.accept_offer(payload)
        if kind == "answer":
            await self.accept_answer(payload)
        elif kind == "candidate":
            await self.accept_candidate(payload)
        else:
            raise ValueError(f"not a signal payload: {kind!r}")
        return None

    async def accept_candidate(self, payload: Payload) -> None:
        """A trickled candidate (browsers trickle; aiortc itself never sends one); '' = the end."""
        text = str(payload.get("candidate") or "")
        if not text:
            return
        candidate = candidate_from_sdp(text.removeprefix("candidate:"))
        candidate.sdpMid = payload.get("sdpMid")
        candidate.sdpMLineIndex = payload.get("sdpMLineIndex")
        await self.pc.addIceCandidate(candidate)

    def candidate_payloads(self) -> list[Payload]:
        """The local description's candidates as trickle payloads (what a browser would send one
        by one), then the end-of-candidates one."""
        description = self.pc.localDescription
        if description is None:
            return []
        found: list[Payload] = []
        mid: str | None = None
        index = -1
        for line in description.sdp.splitlines():
            if line.startswith("m="):
                index += 1
                mid = None
            elif line.startswith("a=mid:"):
                mid = line.split(":", 1)[1]
            elif line.startswith("a=candidate:"):
                found.append({"type": "candidate", "candidate": line.removeprefix("a="), "sdpMid": mid,
                              "sdpMLineIndex": index})
        return [*found, {"type": "candidate", "candidate": "", "sdpMid": mid, "sdpMLineIndex": max(index, 0)}]

    async def frames(self, n: int, timeout: float = 15.0, *, since: int | None = None) -> list[Frame]:
        """The first `n` remote frames decoded after index `since` of `frames_received` (default:
        those arriving from now on); waits up to `timeout` seconds for them."""
        start = len(self.frames_received) if since is None else since
        deadline = time.monotonic() + timeout
        while len(self.frames_received) - start < n:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{self.name}: {len(self.frames_received) - start}/{n} remote frames within "
                                   f"{timeout} s (connection {self.connection_state})")
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), remaining)
        return self.frames_received[start:start + n]

    async def drop(self) -> None:
        """As if the network went: the connection is closed, nothing is signalled."""
        await self.pc.close()

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            await self.pc.close()
            for reader in list(self._readers):
                reader.cancel()
        finally:
            release_loopback()

    async def __aenter__(self) -> Peer:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


class LoopThread:
    """An asyncio loop on its own thread, for synchronous tests that drive `Peer`s:

        with LoopThread() as loop:
            peer = loop.run(new_peer("customer"))
            offer = loop.run(peer.make_offer())
    """

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="rtc-loop", daemon=True)
        self._thread.start()

    def run(self, work: Awaitable[T], timeout: float = 30.0) -> T:
        future: Future[T] = asyncio.run_coroutine_threadsafe(_awaited(work), self.loop)
        return future.result(timeout)

    def close(self) -> None:
        async def cancel_rest() -> None:
            current = asyncio.current_task()
            rest = [task for task in asyncio.all_tasks() if task is not current]
            for task in rest:
                task.cancel()
            await asyncio.gather(*rest, return_exceptions=True)

        with contextlib.suppress(Exception):
            self.run(cancel_rest(), 10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()

    def __enter__(self) -> LoopThread:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


async def _awaited(work: Awaitable[T]) -> T:
    return await work


async def new_peer(name: str, ice_servers: list[dict[str, Any]] | None = None) -> Peer:
    """A `Peer` made on the running loop (aiortc binds its objects to the loop they are made on)."""
    return Peer(name, ice_servers)


__all__ = ["FPS", "CounterTrack", "Frame", "LoopThread", "Payload", "Peer", "draw", "live", "loopback_only",
           "loopback_patched", "new_peer", "read", "tag_of"]

"""Real media files made on the spot, for tests, the end-to-end run, the benchmark and demos: a clip
with a moving test pattern and a tone (H.264 + AAC MP4, or a browser's streamed WebM), an
audio-only `.m4a`, a clip cut in half, a text file named like a video — and a way to read a frame
back as pixels.

Patterns come from FFmpeg's own `testsrc2` and `sine` sources (through PyAV's `lavfi` input), so a
clip costs little more than its encoding; x264 runs with `ultrafast`. Needs `requirements-video.txt`
(PyAV) and numpy (for `frame_at`).
"""

from __future__ import annotations

import struct
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

import av

if TYPE_CHECKING:
    import numpy as np

AUDIO_RATE = 48_000


def make_clip(path: Path, seconds: float, width: int, height: int, fps: int = 30, audio: bool = True, *,
              faststart: bool = False, dark: bool = False, rotation: int = 0, crf: int = 28) -> Path:
    """An H.264 (yuv420p) MP4 of `seconds` at `width`×`height`, with a 440 Hz AAC tone when `audio`.

    `faststart` puts the index (moov) first, as phones and our own output do; without it the index
    is at the end, as a plain encoder writes it. `dark` makes the picture a uniform near-black, so
    anything bright on it (a watermark) is easy to find. `rotation` (90, 180 or 270) stores the
    picture as it is and sets the track's display matrix, as a phone held upright records. `crf`:
    x264's quality (higher: smaller files).
    """
    pattern = f"color=c=0x101010:size={width}x{height}:rate={fps}" if dark else \
        f"testsrc2=size={width}x{height}:rate={fps}"
    options = {"movflags": "+faststart"} if faststart else {}
    with av.open(f"{pattern}:duration={seconds}", format="lavfi") as source, \
            av.open(str(path), "w", format="mp4", options=options) as output:
        video_out: Any = output.add_stream("libx264", rate=fps, options={"preset": "ultrafast", "crf": str(crf)})
        video_out.width, video_out.height, video_out.pix_fmt = width, height, "yuv420p"
        audio_out: Any = None
        if audio:
            audio_out = output.add_stream("aac", rate=AUDIO_RATE, layout="stereo")
        for frame in source.decode(video=0):
            output.mux(video_out.encode(frame.reformat(format="yuv420p")))
        output.mux(video_out.encode(None))
        if audio_out is not None:
            with av.open(f"sine=frequency=440:sample_rate={AUDIO_RATE}:duration={seconds}", format="lavfi") as tone:
                for sound in tone.decode(audio=0):
                    output.mux(audio_out.encode(sound))
            output.mux(audio_out.encode(None))
    if rotation:
        _set_display_rotation(path, rotation)
    return path


def make_recording(path: Path, seconds: float, width: int, height: int, fps: int = 30, audio: bool = True) -> Path:
    """A VP8 (+ Opus when `audio`) WebM written as a browser's MediaRecorder writes one, as it
    films: streamed (the matroska muxer's `live`), so its header has no Duration and it has no Cues.
    libvpx runs in its real-time mode, as a browser's does."""
    with av.open(str(path), "w", format="webm", options={"live": "1"}) as output:
        video_out: Any = output.add_stream("libvpx", rate=fps, options={"deadline": "realtime", "cpu-used": "8"})
        video_out.width, video_out.height, video_out.pix_fmt = width, height, "yuv420p"
        audio_out: Any = output.add_stream("libopus", rate=AUDIO_RATE, layout="stereo") if audio else None
        with av.open(f"testsrc2=size={width}x{height}:rate={fps}:duration={seconds}", format="lavfi") as source:
            for frame in source.decode(video=0):
                output.mux(video_out.encode(frame.reformat(format="yuv420p")))
        output.mux(video_out.encode(None))
        if audio_out is not None:
            with av.open(f"sine=frequency=440:sample_rate={AUDIO_RATE}:duration={seconds}", format="lavfi") as tone:
                for sound in tone.decode(audio=0):
                    output.mux(audio_out.encode(sound))
            output.mux(audio_out.encode(None))
    return path


def make_audio_only(path: Path, seconds: float) -> Path:
    """An AAC `.m4a` (MP4 container, no video track): what a voice memo upload looks like."""
    with av.open(f"sine=frequency=440:sample_rate={AUDIO_RATE}:duration={seconds}", format="lavfi") as tone, \
            av.open(str(path), "w", format="ipod") as output:
        audio_out: Any = output.add_stream("aac", rate=AUDIO_RATE, layout="mono")
        for sound in tone.decode(audio=0):
            output.mux(audio_out.encode(sound))
        output.mux(audio_out.encode(None))
    return path


def make_truncated(path: Path, *, seconds: float = 4, faststart: bool = False) -> Path:
    """A 320×240 clip cut in half, as an interrupted upload leaves it: without `faststart` the index
    is lost (the file cannot even be opened); with it the index promises frames that are missing."""
    make_clip(path, seconds, 320, 240, faststart=faststart)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def make_text_file(path: Path) -> Path:
    """Text under a video's name."""
    path.write_text("This is not a video, whatever its name says.\n" * 20)
    return path


def frame_at(path: Path, seconds: float) -> np.ndarray:
    """The RGB pixels (height × width × 3, uint8) of the first frame shown at or after `seconds`
    (the last frame, if the video is shorter)."""
    last: Any = None
    with av.open(str(path)) as container:
        stream: Any = container.streams.video[0]
        for frame in container.decode(stream):
            last = frame
            if frame.pts is not None and float(frame.pts * stream.time_base) >= seconds - 1e-6:
                break
    if last is None:
        raise ValueError(f"{path} has no video frame")
    pixels: np.ndarray = last.to_ndarray(format="rgb24")
    return pixels


def duration_of(path: Path) -> float:
    """The container's duration in seconds, as a player shows it."""
    with av.open(str(path)) as container:
        duration = container.duration
    if duration is None:
        raise ValueError(f"{path} has no duration")
    return float(Fraction(duration, av.time_base))


def _set_display_rotation(path: Path, rotation: int) -> None:
    """Write a rotation into the video track's header matrix (`tkhd`), the way phones store it."""
    cos, sin = {90: (0, 1), 180: (-1, 0), 270: (0, -1)}[rotation]
    data = bytearray(path.read_bytes())
    for offset in _box_offsets(data, b"tkhd"):
        version = data[offset + 8]
        matrix_at = offset + 8 + 4 + (32 if version == 1 else 20) + 8 + 8
        width_at = matrix_at + 36
        if struct.unpack(">I", data[width_at:width_at + 4])[0] == 0:
            continue  # the audio track's header has no picture size
        fixed = 0x10000
        struct.pack_into(">9i", data, matrix_at, cos * fixed, sin * fixed, 0, -sin * fixed, cos * fixed, 0, 0, 0,
                         0x40000000)
    path.write_bytes(bytes(data))


def _box_offsets(data: bytearray, kind: bytes) -> list[int]:
    """Offsets of every box of `kind` (its size field), walking the MP4's box tree."""
    found: list[int] = []
    containers = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts"}

    def walk(start: int, end: int) -> None:
        at = start
        while at + 8 <= end:
            size, name = struct.unpack(">I4s", data[at:at + 8])
            if size < 8:
                return
            if name == kind:
                found.append(at)
            elif name in containers:
                walk(at + 8, at + size)
            at += size

    walk(0, len(data))
    return found

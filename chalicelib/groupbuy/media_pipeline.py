"""The video pipeline's two stateful pieces: which decoded pictures go out (`VideoCut`: the cut, the
frame-rate cap, times from `pts × time_base`) and the FFmpeg filter graph that rotates, scales,
overlays the watermark and converts to yuv420p (`FilterPipeline`)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

import av
import av.error
from PIL import Image

from chalicelib.groupbuy.media_watermark import margin


class VideoCut:
    """Which decoded pictures go out: from the first one, at most `rate` a second (the output's), until the cut.
    Times are `pts × stream.time_base` from the first picture: flushed frames have no time base."""

    def __init__(self, stream: Any, first: av.VideoFrame, cut_s: float, rate: Fraction) -> None:
        self._time_base = stream.time_base
        self._origin_pts = first.pts or 0
        self._cut_s = cut_s
        self._step_s = 1 / float(rate)
        self._next_s = 0.0
        self._last_pts: int | None = None
        self.kept = 0
        self.done = False

    def seconds(self, frame: av.VideoFrame) -> float:
        return float((frame.pts - self._origin_pts) * self._time_base) if frame.pts is not None else 0.0

    def audio_seconds(self, frame: av.AudioFrame, stream: Any) -> float:
        if frame.pts is None:
            return 0.0
        origin_s = float(self._origin_pts * self._time_base)
        return float(frame.pts * stream.time_base) - origin_s

    def keep(self, frame: av.VideoFrame) -> bool:
        if frame.pts is None or self.done:
            return False
        at_s = self.seconds(frame)
        if at_s + self._step_s > self._cut_s + 1e-6:
            self.done = True  # this picture would be shown past the cut
            return False
        if at_s < self._next_s - self._step_s / 4 or (self._last_pts is not None and frame.pts <= self._last_pts):
            return False  # over the frame-rate cap, or out of order
        self._next_s = at_s + self._step_s
        self._last_pts = frame.pts
        self.kept += 1
        return True


class FilterPipeline:
    """Rotate, scale, overlay the watermark, to yuv420p: one FFmpeg filter graph."""

    def __init__(self, stream: Any, first: av.VideoFrame, rotation: int, width: int, height: int,
                 stamp: Image.Image) -> None:
        self._origin_pts = first.pts or 0
        graph: Any = av.filter.Graph()
        source = graph.add_buffer(width=first.width, height=first.height, format=first.format.name,
                                  time_base=stream.time_base)
        mark = graph.add_buffer(width=stamp.width, height=stamp.height, format="rgba", time_base=stream.time_base)
        chain = [graph.add(name, args) for name, args in rotation_filters(rotation)]
        chain.append(graph.add("scale", f"{width}:{height}:flags=bilinear"))
        overlay = graph.add("overlay", f"x={margin(height)}:y={height - stamp.height - margin(height)}"
                            ":eof_action=repeat:format=yuv420")
        chain += [overlay, graph.add("format", "yuv420p"), graph.add("buffersink")]
        source.link_to(chain[0])
        for upstream, downstream in itertools.pairwise(chain):
            upstream.link_to(downstream)
        mark.link_to(overlay, 0, 1)
        graph.configure()
        self._graph, self._source, self._sink = graph, source, chain[-1]  # the contexts do not keep their graph alive
        picture = av.VideoFrame.from_image(stamp)
        picture.pts, picture.time_base = 0, stream.time_base
        mark.push(picture)
        mark.push(None)

    def push(self, frame: av.VideoFrame | None) -> Iterator[Any]:
        if frame is not None:
            frame.pts = frame.pts - self._origin_pts
        self._source.push(frame)
        while True:
            try:
                yield self._sink.pull()
            except (av.error.BlockingIOError, av.error.EOFError):
                return


def rotation_filters(rotation: int) -> list[tuple[str, str]]:
    return {90: [("transpose", "clock")], 180: [("hflip", ""), ("vflip", "")],
            270: [("transpose", "cclock")]}.get(rotation, [])

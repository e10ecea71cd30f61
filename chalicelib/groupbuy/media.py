"""Workflow 04's on-site videos as media work alone: check an upload (`probe`), then make what is
published from it (`process`): an H.264/AAC MP4 of at most 30 s and 720 lines with the shop's name
and the visit date burnt in, and a poster JPEG. Local files in, local files out — the processor
function fetches from and writes to S3 around it. Only that function imports this module (PyAV and
Pillow are its layer, `requirements-video.txt`, not the API's zip).

What comes out, and why:

* **Video**: H.264 High, yuv420p (what every browser and phone plays), x264 `veryfast` CRF 23,
  at most `max_height` lines with the display aspect kept (both sides even; never upscaled), at
  most 30 frames/s (a 60 fps phone clip loses every other frame: half the encoding for a picture
  nobody needs at 60), the phone's rotation applied (upright pixels, no rotation flag), the
  `moov` index first (`+faststart`) so a browser starts playing before the download ends.
* **Length**: the first `max_output_s` of the source. Frame times are `pts × time_base` of the
  stream, relative to the first frame (a decoder's flushed frames carry no time base of their own),
  and decoding stops at the cut: the cost follows the output's length, not the source's.
* **Audio**: AAC-LC 128 kb/s stereo at the source's rate (48 kHz when it is not one AAC has),
  cut on whole frames so the track never runs past the video's cut. **A source without sound gives
  an output without an audio track** (no silent track: every player handles a video-only MP4, and
  a silent track would cost encoding for nothing); `Processed.has_audio` says which.
* **Watermark**: two lines, the shop's name over the visit date, white on a semi-transparent black
  box at the bottom-left corner, sized from the output's height; drawn once with Pillow into an
  RGBA picture and overlaid by FFmpeg's `overlay` filter (PyAV's FFmpeg has no `drawtext`), which
  blends only the picture's own rectangle of each frame (≈ 0.35 ms a 720p frame, 3 % of the work).
  The font is Pillow's built-in one (Aileron, ASCII only): Lambda has no system fonts and we
  depend on none. Accented letters are drawn without their accents ("Café" → "Cafe"); **characters
  it has no glyph for (e.g. Chinese) are left out** of the drawn line (a space in their place),
  never drawn as boxes and never an error; a name with nothing drawable left shows only the date.
  Drawing CJK names needs a CJK font shipped in the layer (`Watermark(font_path=…)` takes one).
* **Poster**: the frame ~1 s in (the first, for a shorter video), watermarked, as JPEG.

Failures: what the upload's content causes is `Rejected` with a machine reason (`not_a_video`,
`audio_only`, `truncated`, `too_long`, `too_large`, `unreadable`) — the caller tells the customer
and does not retry; anything else (a full disk, an encoder fault, a bug) propagates so that the
message is retried. Outputs are written under temporary names and renamed when complete: a failure
never leaves a half file under the final names (and removes its temporary ones).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

import av
import av.error
from PIL import Image

from chalicelib.groupbuy.media_pipeline import FilterPipeline, VideoCut
from chalicelib.groupbuy.media_watermark import Watermark, stamp

__all__ = ["Probe", "Processed", "RejectReason", "Rejected", "VideoLimits", "Watermark", "probe", "process",
           "scaled_size"]

RejectReason = Literal["not_a_video", "audio_only", "truncated", "too_long", "too_large", "unreadable"]

VIDEO_NAME = "video.mp4"
POSTER_NAME = "poster.jpg"
MAX_FPS = 30
POSTER_AT_S = 1.0
AAC_RATES = frozenset({96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000})
IMAGE_CODECS = frozenset({"mjpeg", "png", "apng", "gif", "bmp", "webp", "tiff", "jpeg2000", "jpegls", "pam",
                          "ppm", "pgm", "pbm", "pgmyuv", "qoi", "svg", "xbm", "xpm", "sgi", "targa", "dpx", "exr",
                          "photocd", "pcx", "sunrast", "hdr", "jpegxl", "ljpeg", "pictor", "psd"})
"""Codecs of still pictures: a JPEG or PNG opens as a one-frame "video", which is not what was asked."""
_CONTAINER_MAGIC = (b"\x1a\x45\xdf\xa3", b"RIFF", b"\x00\x00\x01\xba", b"FLV")
"""First bytes of video containers other than MP4/QuickTime (Matroska/WebM, AVI, MPEG-PS, FLV)."""
_MP4_BOXES = (b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip", b"pnot")


@dataclass(frozen=True)
class VideoLimits:
    max_bytes: int = 100 * 1024 * 1024
    max_source_s: float = 300.0
    max_output_s: float = 30.0
    max_height: int = 720


class Rejected(Exception):
    """The upload cannot become a video: `reason` for machines, `detail` for people."""

    def __init__(self, reason: RejectReason, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason: RejectReason = reason
        self.detail = detail


@dataclass(frozen=True)
class Probe:
    duration_s: float
    width: int
    """As stored; a `rotation` of ±90 shows it as the height."""
    height: int
    has_audio: bool
    video_codec: str
    rotation: int
    """Degrees clockwise the stored picture is turned to be shown upright (0, 90, 180, 270)."""


@dataclass(frozen=True)
class Processed:
    video_path: Path
    poster_path: Path
    duration_s: float
    width: int
    height: int
    has_audio: bool
    bytes: int
    """The MP4's size."""
    poster_bytes: int


def probe(path: Path, size_bytes: int, limits: VideoLimits = VideoLimits()) -> Probe:
    """What the upload is, or `Rejected`. `size_bytes` is the stored object's size (S3's
    ContentLength), never what the client claimed. Opens the container and decodes one frame:
    milliseconds, whatever the file's length (a recording whose header has no length, as a
    browser films it, has its packets counted too: a millisecond a second)."""
    if size_bytes > limits.max_bytes:
        raise Rejected("too_large", f"{size_bytes:,} bytes, more than the {limits.max_bytes:,} allowed")
    try:
        container: Any = av.open(str(path))  # (its stubs say closing may swallow errors)
    except av.error.FFmpegError as exc:
        raise _unopenable(path, exc) from exc
    with container:
        if not container.streams.video:
            if container.streams.audio:
                raise Rejected("audio_only", "the file has sound but no picture")
            raise Rejected("not_a_video", f"no picture in this {container.format.name} file")
        stream = container.streams.video[0]
        codec = stream.codec_context.name
        if codec in IMAGE_CODECS or container.format.name.endswith("_pipe"):
            raise Rejected("not_a_video", f"a still picture ({codec}), not a video")
        duration_s = _length_s(path, container, stream, limits.max_source_s)
        if duration_s is None or duration_s <= 0:
            raise Rejected("unreadable", "the file does not say how long it is")
        if duration_s > limits.max_source_s:
            raise Rejected("too_long", f"{duration_s:.0f} s, longer than the {limits.max_source_s:.0f} s allowed")
        first = _first_frame(container, stream, path.stat().st_size)
        has_audio = bool(container.streams.audio)
    return Probe(duration_s=duration_s, width=first.width, height=first.height, has_audio=has_audio,
                 video_codec=codec, rotation=_clockwise(first.rotation))


def scaled_size(width: int, height: int, max_height: int) -> tuple[int, int]:
    """The output's size for a picture shown at `width`×`height`: at most `max_height` lines, the
    aspect kept, both sides even (yuv420p halves them), never larger than the source."""
    if width <= 0 or height <= 0:
        raise ValueError("a picture has a positive size")
    if height <= max_height:
        return max(2, width - width % 2), max(2, height - height % 2)
    out_height = max_height - max_height % 2
    out_width = max(2, 2 * round(width * out_height / height / 2))
    return min(out_width, width - width % 2), out_height


def process(source: Path, out_dir: Path, watermark: Watermark, limits: VideoLimits = VideoLimits(), *,
            threads: int | None = None) -> Processed:
    """Make `out_dir/video.mp4` and `out_dir/poster.jpg` from a probed upload (see the module's
    docstring for what they are). `threads`: decoder and encoder threads (None: FFmpeg picks from
    the machine's cores; 1 for one core). `out_dir` is the caller's own (a fresh temp dir)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    video_path, poster_path = out_dir / VIDEO_NAME, out_dir / POSTER_NAME
    video_part, poster_part = out_dir / f".{VIDEO_NAME}.part", out_dir / f".{POSTER_NAME}.part"
    try:
        result = _transcode(source, video_part, poster_part, watermark, limits, threads)
        os.replace(poster_part, poster_path)
        os.replace(video_part, video_path)
    finally:
        for part in (video_part, poster_part):
            part.unlink(missing_ok=True)
    return Processed(video_path=video_path, poster_path=poster_path, duration_s=result.duration_s,
                     width=result.width, height=result.height, has_audio=result.has_audio,
                     bytes=video_path.stat().st_size, poster_bytes=poster_path.stat().st_size)


@dataclass(frozen=True)
class _Made:
    duration_s: float
    width: int
    height: int
    has_audio: bool


def _transcode(source: Path, video_part: Path, poster_part: Path, watermark: Watermark, limits: VideoLimits,
               threads: int | None) -> _Made:
    try:
        container: Any = av.open(str(source))
    except av.error.FFmpegError as exc:
        raise _unopenable(source, exc) from exc
    with container:
        if not container.streams.video:
            raise Rejected("audio_only" if container.streams.audio else "not_a_video", "the file has no picture")
        video_in: Any = container.streams.video[0]  # PyAV's stubs type time bases and options too narrowly
        audio_in: Any = container.streams.audio[0] if container.streams.audio else None
        for stream in (video_in, audio_in):
            if stream is not None:
                stream.thread_type = "AUTO"
                stream.codec_context.thread_count = threads or 0
        claimed_s = _length_s(source, container, video_in, limits.max_source_s)
        cut_s = limits.max_output_s if claimed_s is None else min(limits.max_output_s, claimed_s)
        video_cut: VideoCut | None = None
        frames = _decoded(container, video_in, audio_in, lambda: video_cut is not None and video_cut.done,
                          source.stat().st_size)
        pending: list[tuple[str, Any]] = []
        first_video = None
        for kind, frame in frames:  # audio decoded before the first picture is kept for later
            if kind == "video":
                first_video = frame
                break
            pending.append((kind, frame))
        if first_video is None:
            raise Rejected("unreadable", "no picture could be decoded")
        rotation = _clockwise(first_video.rotation)
        shown_w, shown_h = (first_video.height, first_video.width) if rotation in (90, 270) else \
            (first_video.width, first_video.height)
        sar = video_in.sample_aspect_ratio
        if sar and sar > 0 and sar != 1:
            shown_w = max(2, round(shown_w * sar))
        out_w, out_h = scaled_size(shown_w, shown_h, limits.max_height)
        rate = _output_rate(video_in)
        mark = stamp(watermark, out_w, out_h)
        with av.open(str(video_part), "w", format="mp4", options={"movflags": "+faststart"}) as output:
            video_out: Any = output.add_stream("libx264", rate=rate, options={"preset": "veryfast", "crf": "23"})
            video_out.width, video_out.height, video_out.pix_fmt = out_w, out_h, "yuv420p"
            video_out.codec_context.thread_count = threads or 0
            video_out.codec_context.time_base = video_in.time_base
            audio_out: Any = None
            if audio_in is not None:
                audio_rate = audio_in.rate if audio_in.rate in AAC_RATES else 48000
                audio_out = output.add_stream("aac", rate=audio_rate, layout="stereo")
                audio_out.codec_context.bit_rate = 128_000
            pipeline = FilterPipeline(video_in, first_video, rotation, out_w, out_h, mark)
            video_cut = VideoCut(video_in, first_video, cut_s, rate)
            poster: Image.Image | None = None
            poster_settled = False
            last_video_s = 0.0
            audio_samples = 0
            audio_done = audio_out is None

            def encode_video(picture: av.VideoFrame) -> None:
                nonlocal poster, poster_settled, last_video_s
                at_s = float(picture.pts * video_in.time_base)  # the pipeline counts from the first picture
                last_video_s = at_s
                if poster is None or (not poster_settled and at_s >= POSTER_AT_S - 1e-6):
                    poster, poster_settled = picture.to_image(), at_s >= POSTER_AT_S - 1e-6
                output.mux(video_out.encode(picture))

            def encode_audio(sound: av.AudioFrame) -> None:
                nonlocal audio_samples, audio_done
                starts_s = video_cut.audio_seconds(sound, audio_in)
                if starts_s + sound.samples / sound.sample_rate > cut_s + 1e-6:
                    audio_done = True  # whole frames only: the sound never runs past the picture's cut
                    return
                if starts_s < -1e-3:
                    return  # sound from before the first picture
                if audio_samples == 0:
                    audio_samples = max(0, round(starts_s * sound.sample_rate))  # keep a late start in sync
                sound.pts, sound.time_base = audio_samples, Fraction(1, sound.sample_rate)
                audio_samples += sound.samples
                output.mux(audio_out.encode(sound))

            def feed(kind: str, frame: Any) -> None:
                if kind == "video":
                    if video_cut.keep(frame):
                        for picture in pipeline.push(frame):
                            encode_video(picture)
                elif not audio_done:
                    encode_audio(frame)

            feed("video", first_video)
            for kind, frame in pending:
                feed(kind, frame)
            for kind, frame in frames:
                feed(kind, frame)
                if video_cut.done and audio_done:
                    break  # decoding stops at the cut
            for picture in pipeline.push(None):
                encode_video(picture)
            output.mux(video_out.encode(None))
            if audio_out is not None:
                output.mux(audio_out.encode(None))
        if video_cut is None or video_cut.kept == 0:
            raise Rejected("unreadable", "no picture could be decoded")
        made_s = last_video_s + 1 / rate
        expected_s = min(cut_s, claimed_s or cut_s)
        if made_s < expected_s - 1.0:
            raise Rejected("truncated", f"the file stops at {made_s:.1f} s of the {expected_s:.1f} s it announces")
        if poster is None:
            raise Rejected("unreadable", "no picture could be decoded")
        poster.convert("RGB").save(poster_part, format="JPEG", quality=85)
        return _Made(duration_s=round(min(cut_s, made_s), 3), width=out_w, height=out_h,
                     has_audio=audio_out is not None and audio_samples > 0)


def _decoded(container: Any, video: Any, audio: Any, video_done: Callable[[], bool],
             file_size: int) -> Iterator[tuple[str, Any]]:
    """Decoded frames in file order, `("video"|"audio", frame)`, pictures no longer once
    `video_done()` (the sound may still run up to the cut). What the file's bytes cause becomes
    `Rejected`: a packet that breaks off at the end of the file is an upload cut short (`truncated`),
    bad data elsewhere is `unreadable`."""
    streams = [video] if audio is None else [video, audio]
    packets = container.demux(*streams)
    read_to = 0  # a threaded decoder reports a broken packet a few packets later, or on the flush
    while True:
        try:
            packet = next(packets)
        except StopIteration:
            return
        except av.error.InvalidDataError as exc:
            raise Rejected("truncated", f"the file's data ends or breaks off: {exc}") from exc
        except av.error.FFmpegError as exc:
            raise Rejected("unreadable", f"the file cannot be read: {exc}") from exc
        if packet.pos is not None and packet.pos >= 0:
            read_to = max(read_to, packet.pos + packet.size)
        if packet.stream is video and video_done():
            continue
        try:
            decoded = packet.decode()
        except av.error.EOFError:
            continue  # a flush after the end: nothing more
        except av.error.FFmpegError as exc:
            if read_to >= file_size:
                raise Rejected("truncated", f"the file breaks off in the middle of its data: {exc}") from exc
            raise Rejected("unreadable", f"the picture or sound cannot be decoded: {exc}") from exc
        kind = "video" if packet.stream is video else "audio"
        for frame in decoded:
            yield kind, frame


def _first_frame(container: Any, stream: Any, file_size: int) -> av.VideoFrame:
    for _kind, frame in _decoded(container, stream, None, lambda: False, file_size):
        return frame  # type: ignore[no-any-return]
    raise Rejected("truncated", "the file announces a video but holds no picture")


def _unopenable(path: Path, exc: Exception) -> Rejected:
    """A file FFmpeg cannot open: the start of a video container whose index is gone (an upload cut
    short) is `truncated`; anything else is not a video."""
    with path.open("rb") as file:
        head = file.read(12)
    if head[4:8] in _MP4_BOXES or head.startswith(_CONTAINER_MAGIC):
        return Rejected("truncated", f"a video file whose index is missing or cut off ({exc})")
    return Rejected("not_a_video", "not a video file")


def _duration_s(container: Any, stream: Any) -> float | None:
    if container.duration is not None and container.duration > 0:
        return float(Fraction(container.duration, av.time_base))
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    return None


def _length_s(path: Path, container: Any, stream: Any, limit_s: float) -> float | None:
    """The length the header declares, or else the one the video packets span. A browser's
    MediaRecorder writes its WebM as it films (no Duration, no Cues: it never seeks back), so the
    header of every clip filmed in a web page is silent about its length; the packets are read
    without decoding them (≈ a millisecond a second of video), and no further than past `limit_s`."""
    declared = _duration_s(container, stream)
    if declared is not None and declared > 0:
        return declared
    first: Fraction | None = None
    end: Fraction | None = None
    try:
        with av.open(str(path)) as scan:
            video: Any = scan.streams.video[0]  # as `stream` is its container's
            for packet in scan.demux(video):
                if packet.pts is None or video.time_base is None:
                    continue
                starts = packet.pts * video.time_base
                ends = (packet.pts + (packet.duration or 0)) * video.time_base
                first = starts if first is None else min(first, starts)
                end = ends if end is None else max(end, ends)
                if end - first > limit_s:
                    break
    except av.error.FFmpegError:
        pass  # broken data: what was read counts, and decoding tells what is wrong with the rest
    return None if first is None or end is None else float(end - first)


def _output_rate(stream: Any) -> Fraction:
    rate = stream.average_rate or stream.guessed_rate or Fraction(MAX_FPS)
    return min(Fraction(rate), Fraction(MAX_FPS))


def _clockwise(rotation: int | float | None) -> int:
    """FFmpeg's display-matrix angle (counter-clockwise) as the clockwise turn that shows it upright."""
    return round(-(rotation or 0) / 90) % 4 * 90

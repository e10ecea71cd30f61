"""Workflow 04's video media core on real files: what `probe` refuses and why, and what `process`
makes of a clip — codecs, size, length, the watermark's pixels, the poster, nothing half-written.
Every clip is made here (devstack/clips.py), small and short, so the whole file runs in seconds."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from chalicelib.groupbuy import media
from chalicelib.groupbuy.media import Rejected, VideoLimits, Watermark
from devstack import clips

WATERMARK = Watermark("Lao Wang BBQ", "2026-12-01")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="module")
def small_clip(folder: Path) -> Path:
    return clips.make_clip(folder / "small.mp4", 3, 320, 240)


def probed(path: Path, limits: VideoLimits = VideoLimits()) -> media.Probe:
    return media.probe(path, path.stat().st_size, limits)


def rejection(path: Path, size_bytes: int | None = None) -> str:
    with pytest.raises(Rejected) as raised:
        media.probe(path, path.stat().st_size if size_bytes is None else size_bytes)
    assert raised.value.detail
    return raised.value.reason


def streams_of(path: Path) -> dict[str, str]:
    with av.open(str(path)) as container:
        found: dict[str, str] = {stream.type: stream.codec_context.name for stream in container.streams}
        found["pix_fmt"] = str(container.streams.video[0].codec_context.pix_fmt)
    return found


# --- probe: what is refused -------------------------------------------------------------------------

def test_a_text_file_named_mp4_is_not_a_video(folder: Path) -> None:
    assert rejection(clips.make_text_file(folder / "notes.mp4")) == "not_a_video"


@pytest.mark.parametrize("kind", ["JPEG", "PNG"])
def test_a_still_picture_is_not_a_video(folder: Path, kind: str) -> None:
    path = folder / f"photo.{kind.lower()}"
    Image.new("RGB", (64, 48), "red").save(path, format=kind)
    assert rejection(path) == "not_a_video"


def test_an_audio_only_m4a_is_refused_as_audio_only(folder: Path) -> None:
    assert rejection(clips.make_audio_only(folder / "memo.m4a", 2)) == "audio_only"


def test_an_upload_cut_in_half_before_its_index_is_truncated(folder: Path) -> None:
    assert rejection(clips.make_truncated(folder / "cut.mp4")) == "truncated"


def test_an_upload_cut_in_half_after_its_index_is_truncated_when_processed(folder: Path) -> None:
    cut = clips.make_truncated(folder / "cut-faststart.mp4", faststart=True)
    probed(cut)  # the index promises 4 s: only reading the pictures shows the rest is missing
    out = folder / "out-cut"
    with pytest.raises(Rejected) as raised:
        media.process(cut, out, WATERMARK)
    assert raised.value.reason == "truncated"
    assert list(out.iterdir()) == []


def test_a_clip_whose_pictures_are_garbage_is_unreadable(folder: Path) -> None:
    path = clips.make_clip(folder / "garbage.mp4", 2, 320, 240, faststart=True)
    data = bytearray(path.read_bytes())
    start, keep_tail = data.find(b"mdat") + 4, 2000
    data[start:len(data) - keep_tail] = bytes(len(data) - keep_tail - start)
    path.write_bytes(bytes(data))
    assert rejection(path) == "unreadable"


def test_a_source_longer_than_five_minutes_is_too_long(folder: Path) -> None:
    long_clip = clips.make_clip(folder / "long.mp4", 301, 32, 32, fps=1, audio=False)
    assert rejection(long_clip) == "too_long"


def test_a_five_minute_source_is_accepted(folder: Path) -> None:
    assert probed(clips.make_clip(folder / "five.mp4", 300, 32, 32, fps=1, audio=False)).duration_s == 300


def test_a_browser_recording_without_a_declared_length_is_measured_from_its_packets(folder: Path) -> None:
    recording = clips.make_recording(folder / "filmed.webm", 3, 320, 180)
    with av.open(str(recording)) as container:
        assert container.duration is None, "as MediaRecorder writes it: no length in the header"
    found = probed(recording)
    assert (found.video_codec, found.width, found.height, found.has_audio) == ("vp8", 320, 180, True)
    assert found.duration_s == pytest.approx(3, abs=0.05)
    made = media.process(recording, folder / "out-filmed", WATERMARK, threads=1)
    assert streams_of(made.video_path) == {"video": "h264", "audio": "aac", "pix_fmt": "yuv420p"}
    assert made.duration_s == pytest.approx(3, abs=0.1), "measured, not taken for a cut-off 30 s"


def test_a_browser_recording_longer_than_five_minutes_is_too_long(folder: Path) -> None:
    recording = clips.make_recording(folder / "filmed-long.webm", 301, 32, 32, fps=1, audio=False)
    assert rejection(recording) == "too_long"


def test_the_stored_size_over_100_mib_is_too_large_whatever_the_file(small_clip: Path) -> None:
    assert rejection(small_clip, size_bytes=100 * 1024 * 1024 + 1) == "too_large"
    assert probed(small_clip).duration_s == pytest.approx(3, abs=0.05)


def test_probe_reports_the_picture_sound_and_rotation(folder: Path, small_clip: Path) -> None:
    assert probed(small_clip) == media.Probe(duration_s=3.0, width=320, height=240, has_audio=True,
                                             video_codec="h264", rotation=0)
    upright = clips.make_clip(folder / "phone.mp4", 1, 320, 240, audio=False, rotation=90)
    found = probed(upright)
    assert (found.rotation, found.has_audio) == (90, False)


# --- process: what is made --------------------------------------------------------------------------

def test_the_output_is_h264_yuv420p_with_aac_and_its_index_first(folder: Path, small_clip: Path) -> None:
    made = media.process(small_clip, folder / "out-small", WATERMARK, threads=1)
    assert streams_of(made.video_path) == {"video": "h264", "audio": "aac", "pix_fmt": "yuv420p"}
    data = made.video_path.read_bytes()
    assert 0 < data.find(b"moov") < data.find(b"mdat")  # +faststart: playable before it is all downloaded
    assert (made.width, made.height, made.has_audio, made.bytes) == (320, 240, True, len(data))
    assert made.duration_s == pytest.approx(3, abs=0.05)


def test_a_1080p_source_comes_out_at_720_lines_with_its_aspect(folder: Path) -> None:
    source = clips.make_clip(folder / "hd.mp4", 1.5, 1920, 1080)
    made = media.process(source, folder / "out-hd", WATERMARK)
    assert (made.width, made.height) == (1280, 720)
    assert clips.frame_at(made.video_path, 0).shape == (720, 1280, 3)


def test_a_portrait_source_keeps_its_aspect_with_even_sides(folder: Path) -> None:
    source = clips.make_clip(folder / "portrait.mp4", 1.5, 720, 1280, audio=False)
    made = media.process(source, folder / "out-portrait", WATERMARK)
    assert (made.width, made.height) == (404, 720)  # 405 rounded to even
    assert clips.frame_at(made.video_path, 0).shape == (720, 404, 3)


def test_a_phone_clip_recorded_upright_comes_out_upright(folder: Path) -> None:
    source = clips.make_clip(folder / "upright.mp4", 1, 640, 360, audio=False, rotation=90)
    made = media.process(source, folder / "out-upright", WATERMARK)
    assert (made.width, made.height) == (360, 640)
    with av.open(str(made.video_path)) as container:
        assert next(container.decode(video=0)).rotation == 0


def test_a_small_source_is_not_upscaled(folder: Path, small_clip: Path) -> None:
    made = media.process(small_clip, folder / "out-small-size", WATERMARK)
    assert (made.width, made.height) == (320, 240)


def test_a_40_s_source_is_trimmed_to_30_s(folder: Path) -> None:
    source = clips.make_clip(folder / "forty.mp4", 40, 160, 120)
    made = media.process(source, folder / "out-forty", WATERMARK, threads=2)
    assert 29.5 <= clips.duration_of(made.video_path) <= 30.0
    with av.open(str(made.video_path)) as container:
        for stream in container.streams:
            assert stream.duration is not None and stream.time_base is not None
            assert float(stream.duration * stream.time_base) <= 30.0
    assert 29.5 <= made.duration_s <= 30.0


def test_a_60_fps_source_comes_out_at_30_fps(folder: Path) -> None:
    source = clips.make_clip(folder / "sixty.mp4", 1, 160, 120, fps=60, audio=False)
    made = media.process(source, folder / "out-sixty", WATERMARK)
    with av.open(str(made.video_path)) as container:
        assert container.streams.video[0].frames == 30


def test_a_source_without_sound_gives_a_video_without_an_audio_track(folder: Path) -> None:
    source = clips.make_clip(folder / "mute.mp4", 1, 160, 120, audio=False)
    made = media.process(source, folder / "out-mute", WATERMARK)
    assert not made.has_audio
    assert "audio" not in streams_of(made.video_path)


def test_the_watermark_is_drawn_bright_in_the_bottom_left_corner(folder: Path) -> None:
    source = clips.make_clip(folder / "dark.mp4", 1.5, 640, 360, dark=True)
    made = media.process(source, folder / "out-dark", WATERMARK)
    before, after = clips.frame_at(source, 1), clips.frame_at(made.video_path, 1)
    corner = (slice(360 - 80, 360), slice(0, 220))
    assert before[corner].max() < 60
    assert (after[corner] > 200).sum() > 200  # white text on the dark box
    assert after[:80, -220:].max() < 60  # elsewhere the picture is untouched
    assert np.abs(after[corner].astype(int) - before[corner].astype(int)).max() > 150


def test_the_poster_is_a_watermarked_jpeg_of_the_output_size(folder: Path) -> None:
    source = clips.make_clip(folder / "poster.mp4", 2, 640, 360, dark=True, audio=False)
    made = media.process(source, folder / "out-poster", WATERMARK)
    with Image.open(made.poster_path) as poster:
        assert (poster.format, poster.size) == ("JPEG", (640, 360))
        pixels = np.asarray(poster.convert("RGB"))
    assert (pixels[360 - 80:, :220] > 200).sum() > 200
    assert made.poster_bytes == made.poster_path.stat().st_size


def test_a_chinese_shop_name_does_not_break_the_watermark(folder: Path, small_clip: Path) -> None:
    made = media.process(small_clip, folder / "out-chinese", Watermark("老王烧烤", "2026年12月1日"))
    assert made.video_path.exists() and made.poster_path.exists()


def test_a_failure_while_writing_leaves_no_file_behind(folder: Path, small_clip: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    def disk_full(*_args: object, **_kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Image.Image, "save", disk_full)  # the poster, after the video was written
    out = folder / "out-full"
    with pytest.raises(OSError, match="No space"):
        media.process(small_clip, out, WATERMARK)
    assert list(out.iterdir()) == []

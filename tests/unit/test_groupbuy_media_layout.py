"""The pure parts of the video processing: the output's size, the rotation's sense, which text the
watermark can draw and how it fits the frame."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import ImageFont

from chalicelib.groupbuy.media import _clockwise, scaled_size
from chalicelib.groupbuy.media_watermark import Watermark, drawable, fit, stamp

FONT = ImageFont.load_default(size=20)


@pytest.mark.parametrize(("source", "output"), [
    ((1920, 1080), (1280, 720)),
    ((3840, 2160), (1280, 720)),
    ((1080, 1920), (404, 720)),
    ((1440, 1080), (960, 720)),
    ((1280, 720), (1280, 720)),
    ((320, 240), (320, 240)),
    ((321, 241), (320, 240)),
    ((1, 1), (2, 2)),
])
def test_the_output_size_is_at_most_720_lines_even_and_never_upscaled(source: tuple[int, int],
                                                                      output: tuple[int, int]) -> None:
    assert scaled_size(*source, 720) == output


@given(st.integers(2, 8000), st.integers(2, 8000))
def test_the_output_size_keeps_the_aspect_within_rounding(width: int, height: int) -> None:
    out_w, out_h = scaled_size(width, height, 720)
    assert out_w % 2 == 0 and out_h % 2 == 0
    assert out_h <= max(720, 2) and out_w <= max(width, 2) and out_h <= max(height, 2)
    if height > 720:
        assert abs(out_w - width * out_h / height) <= 2


def test_a_picture_with_no_size_is_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        scaled_size(0, 720, 720)


@pytest.mark.parametrize(("display_matrix_angle", "clockwise"), [(0, 0), (-90, 90), (90, 270), (180, 180),
                                                                 (-180, 180), (None, 0), (-90.0, 90)])
def test_ffmpegs_counter_clockwise_angle_becomes_the_clockwise_turn(display_matrix_angle: float | None,
                                                                    clockwise: int) -> None:
    assert _clockwise(display_matrix_angle) == clockwise


def test_characters_the_font_cannot_draw_are_left_out() -> None:
    assert drawable("老王烧烤 Lao Wang BBQ", FONT) == "Lao Wang BBQ"
    assert drawable("2026年12月1日", FONT) == "2026 12 1"
    assert drawable("Café Müller Ｂ", FONT) == "Cafe Muller B"
    assert drawable("老王烧烤", FONT) == ""
    assert drawable("a\tb\n\x00c", FONT) == "a b c"


def test_a_line_too_wide_is_shortened_with_an_ellipsis() -> None:
    line = fit("The Very Long Name Of A Barbecue Restaurant", FONT, 120)
    assert line.endswith("...") and FONT.getlength(line) <= 120
    assert fit("BBQ", FONT, 120) == "BBQ"


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (404, 720), (64, 48), (32, 32)])
def test_the_watermark_fits_inside_the_frame_with_even_sides(width: int, height: int) -> None:
    picture = stamp(Watermark("The Very Long Name Of A Barbecue Restaurant 老王", "2026-12-01"), width, height)
    assert picture.mode == "RGBA"
    assert picture.width % 2 == 0 and picture.height % 2 == 0
    assert picture.width <= width and picture.height <= height


def test_a_name_with_nothing_drawable_still_shows_the_date() -> None:
    only_date = stamp(Watermark("老王烧烤", "2026-12-01"), 1280, 720)
    both = stamp(Watermark("BBQ", "2026-12-01"), 1280, 720)
    assert only_date.height < both.height

"""The watermark burnt into workflow 04's videos: the shop's name over the visit date, white on a
semi-transparent black box, as an RGBA picture (Pillow) that the video pipeline overlays at the
frame's bottom-left corner. Pillow's built-in font (Aileron) is ASCII only; see `drawable` for what
becomes of other characters, and `Watermark.font_path` for a font shipped in the layer."""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw, ImageFont


@dataclass(frozen=True)
class Watermark:
    shop_name: str
    visit_date: str
    font_path: str | None = None
    """A TrueType/OpenType font file (e.g. a CJK one in the layer); None: Pillow's built-in Latin font."""


def margin(height: int) -> int:
    return max(4, height // 36) // 2 * 2


def _font(watermark: Watermark, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if watermark.font_path is not None:
        return ImageFont.truetype(watermark.font_path, size)
    return ImageFont.load_default(size=size)


def drawable(text: str, font: Any) -> str:
    """`text` with the characters `font` has no glyph for (they would come out as boxes) turned into
    spaces (accented letters lose their accents first), and its spaces collapsed: "老王 BBQ" → "BBQ",
    "2026年12月1日" → "2026 12 1", "Café" → "Cafe". A glyph is
    missing when it renders exactly like a private-use character."""
    missing = _glyph_mask(font, "\ue000")

    def has_glyph(char: str) -> bool:
        return not char.isspace() and char.isprintable() and _glyph_mask(font, char) != missing

    kept = []
    for char in text:
        if has_glyph(char):
            kept.append(char)
            continue
        # Pillow's built-in font is ASCII: "é" → "e", "Ｂ" → "B" rather than nothing
        base = "".join(part for part in unicodedata.normalize("NFKD", char) if not unicodedata.combining(part))
        kept.append(base if base and all(has_glyph(part) for part in base) else " ")
    return " ".join("".join(kept).split())


def _glyph_mask(font: Any, char: str) -> tuple[tuple[int, int], bytes]:
    try:
        mask = font.getmask(char)
    except (UnicodeError, ValueError, OSError):
        return ((0, 0), b"missing")
    return mask.size, bytes(mask)


def stamp(watermark: Watermark, frame_width: int, frame_height: int) -> Image.Image:
    """The watermark as an RGBA picture (even sides), to be overlaid at the bottom-left corner."""
    size = max(10, frame_height // 24)
    font = _font(watermark, size)
    gap = margin(frame_height)
    pad = max(2, size // 3)
    max_text_w = max(8, frame_width - 2 * gap - 2 * pad)
    lines = [line for line in (drawable(watermark.shop_name, font), drawable(watermark.visit_date, font)) if line]
    lines = [fit(line, font, max_text_w) for line in lines] or ["·"]
    spacing = max(1, size // 5)
    boxes = [font.getbbox(line) for line in lines]
    text_w = max(math.ceil(box[2]) for box in boxes)
    line_h = math.ceil(max(box[3] for box in boxes))
    width = min(frame_width - 2 * gap, text_w + 2 * pad)
    height = min(frame_height - 2 * gap, line_h * len(lines) + spacing * (len(lines) - 1) + 2 * pad)
    width, height = max(2, width + width % 2), max(2, height + height % 2)
    stamp = Image.new("RGBA", (width, height), (0, 0, 0, 140))
    draw = ImageDraw.Draw(stamp)
    for index, line in enumerate(lines):
        draw.text((pad, pad + index * (line_h + spacing)), line, font=font, fill=(255, 255, 255, 255))
    return stamp


def fit(line: str, font: Any, max_width: int) -> str:
    """`line`, shortened with an ellipsis until it fits `max_width` pixels."""
    if font.getlength(line) <= max_width:
        return line
    while line and font.getlength(line + "...") > max_width:
        line = line[:-1]
    return line.rstrip() + "..."

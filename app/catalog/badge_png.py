"""A PNG rendering of the generated badge picture, for places that take no SVG (baking, mail).

It draws what :func:`app.catalog.badge_image.badge_svg` draws, from the same layout, with
Pillow's bundled scalable font so no system font is needed. The picture is drawn at twice the
asked size and scaled down, because Pillow draws circles without anti-aliasing.
"""

from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from app.catalog.badge_image import (
    CENTER,
    DISC_RADIUS,
    GOLD,
    INNER_RING_OPACITY,
    INNER_RING_RADIUS,
    NAVY,
    RING_RADIUS,
    RULE_HEIGHT,
    RULE_WIDTH,
    RULE_X,
    SIZE,
    TITLE_FONT_SIZE,
    TITLE_LINE_HEIGHT,
    WHITE,
    badge_layout,
)

MAX_PNG_SIZE = 1024
SUPERSAMPLING = 2

RGB = tuple[int, int, int]


def _rgb(colour: str) -> RGB:
    value = int(colour.removeprefix("#"), 16)
    return (value >> 16) & 0xFF, (value >> 8) & 0xFF, value & 0xFF


def _blend(top: str, bottom: str, opacity: float) -> RGB:
    (top_r, top_g, top_b), (bottom_r, bottom_g, bottom_b) = _rgb(top), _rgb(bottom)

    def mix(over: int, under: int) -> int:
        return round(over * opacity + under * (1 - opacity))

    return mix(top_r, bottom_r), mix(top_g, bottom_g), mix(top_b, bottom_b)


def _circle(radius: float, scale: float) -> tuple[float, float, float, float]:
    low, high = (CENTER - radius) * scale, (CENTER + radius) * scale
    return low, low, high, high


@lru_cache(maxsize=256)
def badge_png(code: str, title: str, size: int = SIZE) -> bytes:
    """A `size` x `size` RGBA PNG of the badge; the same input always gives the same bytes."""
    if not 1 <= size <= MAX_PNG_SIZE:
        raise ValueError(f"the badge PNG size must be between 1 and {MAX_PNG_SIZE}, not {size}")
    scale = size * SUPERSAMPLING / SIZE
    layout = badge_layout(code, title)
    image = Image.new("RGBA", (size * SUPERSAMPLING,) * 2, (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)

    draw.ellipse(_circle(RING_RADIUS, scale), fill=_rgb(GOLD))
    draw.ellipse(_circle(DISC_RADIUS, scale), fill=_rgb(NAVY))
    draw.ellipse(
        _circle(INNER_RING_RADIUS + 1, scale),
        outline=_blend(WHITE, NAVY, INNER_RING_OPACITY),
        width=max(1, round(2 * scale)),
    )
    code_font = ImageFont.load_default(size=layout.code_size * scale)
    draw.text(
        (CENTER * scale, layout.code_baseline * scale),
        layout.code,
        fill=_rgb(WHITE),
        font=code_font,
        anchor="ms",
        stroke_width=max(1, round(scale)),
        stroke_fill=_rgb(WHITE),
    )
    draw.rounded_rectangle(
        (
            RULE_X * scale,
            layout.rule_y * scale,
            (RULE_X + RULE_WIDTH) * scale,
            (layout.rule_y + RULE_HEIGHT) * scale,
        ),
        radius=2 * scale,
        fill=_rgb(GOLD),
    )
    title_font = ImageFont.load_default(size=TITLE_FONT_SIZE * scale)
    for index, line in enumerate(layout.lines):
        baseline = layout.title_baseline + index * TITLE_LINE_HEIGHT
        draw.text(
            (CENTER * scale, baseline * scale),
            line,
            fill=_rgb(WHITE),
            font=title_font,
            anchor="ms",
        )

    output = io.BytesIO()
    image.resize((size, size), Image.Resampling.LANCZOS).save(output, "PNG", optimize=False)
    return output.getvalue()

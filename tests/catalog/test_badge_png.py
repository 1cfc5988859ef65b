"""The PNG badge picture: the generated badge drawn by Pillow, the same bytes every time."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from app.catalog.badge_image import GOLD, NAVY
from app.catalog.badge_png import badge_png

TITLE = "Linear Equations: Concepts and Skills"


def rgb(colour: str) -> tuple[int, int, int, int]:
    value = int(colour[1:], 16)
    return (value >> 16) & 0xFF, (value >> 8) & 0xFF, value & 0xFF, 255


def opened(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


@pytest.mark.parametrize("size", [400, 128, 37])
def test_it_is_a_png_of_the_asked_size(size):
    image = opened(badge_png("M101", TITLE, size))
    assert (image.format, image.size) == ("PNG", (size, size))


def test_the_center_is_navy():
    assert opened(badge_png("M101", TITLE)).getpixel((200, 200)) == rgb(NAVY)


def test_the_outer_ring_is_gold():
    image = opened(badge_png("M101", TITLE))
    assert {image.getpixel(point) for point in [(200, 10), (10, 200), (390, 200)]} == {rgb(GOLD)}


def test_the_corners_are_transparent():
    assert opened(badge_png("M101", TITLE)).getpixel((0, 0))[3] == 0


def test_the_code_is_drawn_in_white():
    image = opened(badge_png("M101", TITLE)).convert("RGB")
    top_half = image.crop((100, 100, 300, 180))
    assert (255, 255, 255) in {colour for _, colour in top_half.getcolors(maxcolors=100_000)}


def test_the_same_input_gives_the_same_bytes():
    assert badge_png("M101", TITLE) == badge_png("M101", TITLE)


def test_a_different_title_gives_different_bytes():
    assert badge_png("M101", TITLE) != badge_png("M101", "Quadratic Functions")


@pytest.mark.parametrize(
    ("code", "title"),
    [
        ("M1", "<script>alert(1)</script>"),
        ("M1", "Control\x00chars\x08and\x1f\ud800 surrogates"),
        ("\x00", ""),
        ("", ""),
        ("X" * 200, "word " * 500),
        ("ALG-2.3", "Ünïcødé título 数学 🎓"),
    ],
)
def test_hostile_or_odd_text_is_drawn(code, title):
    assert opened(badge_png(code, title, 64)).size == (64, 64)


@pytest.mark.parametrize("size", [0, -1, 1025])
def test_a_size_out_of_range_is_refused(size):
    with pytest.raises(ValueError, match="size"):
        badge_png("M1", "T", size)

"""Colour science checked against scikit-image, and the names a shopper would expect."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from skimage import color

from core.vision import colors


def test_lab_and_ciede2000_match_scikit_image() -> None:
    rng = np.random.default_rng(1)
    first, second = rng.integers(0, 256, (500, 3)), rng.integers(0, 256, (500, 3))
    lab_first, lab_second = colors.srgb_to_lab(first), colors.srgb_to_lab(second)
    np.testing.assert_allclose(lab_first, color.rgb2lab(first[None] / 255.0)[0], atol=0.01)
    np.testing.assert_allclose(
        colors.ciede2000(lab_first, lab_second), color.deltaE_ciede2000(lab_first, lab_second), atol=1e-9
    )


@pytest.mark.parametrize(
    ("rgb", "name"),
    [
        ((255, 0, 0), "red"),
        ((0, 0, 255), "blue"),
        ((0, 0, 128), "navy blue"),
        ((31, 42, 68), "navy blue"),
        ((135, 206, 235), "sky blue"),
        ((128, 0, 32), "burgundy"),
        ((34, 139, 34), "green"),
        ((36, 73, 47), "forest green"),
        ((255, 165, 0), "orange"),
        ((255, 255, 255), "white"),
        ((0, 0, 0), "black"),
        ((60, 60, 62), "charcoal"),
        ((128, 128, 128), "gray"),
        ((216, 196, 164), "beige"),
        ((239, 237, 230), "off-white"),
        ((128, 0, 128), "purple"),
        ((0, 128, 128), "teal"),
    ],
)
def test_common_colours_get_their_everyday_name(rgb: tuple[int, int, int], name: str) -> None:
    assert colors.name_color(rgb) == name


def test_the_lookup_table_names_like_the_exact_search() -> None:
    rng = np.random.default_rng(2)
    centres = (rng.integers(0, colors.LUT_LEVELS, (400, 3)) * (256 // colors.LUT_LEVELS) + 4).astype(np.uint8)
    from_table = [colors.NAMES[i] for i in colors.name_lut()[colors._lut_index(centres)]]
    assert from_table == colors.name_colors(centres)


def test_palette_size_and_distinct_names() -> None:
    assert 35 <= len(colors.NAMES) <= 45
    assert len(set(colors.NAMES)) == len(colors.NAMES)


def test_same_name_pixels_merge_and_rare_colours_drop_out() -> None:
    picture = Image.new("RGB", (100, 100), (200, 20, 30))  # red ...
    picture.paste((220, 30, 25), (0, 0, 50, 100))  # ... and another red: one name
    picture.paste((20, 120, 60), (0, 0, 2, 100))  # 2 % green: below the 3 % floor
    found = colors.dominant_colors(colors.sample_pixels(picture))
    assert [c.name for c in found] == ["red"]
    assert found[0].share == pytest.approx(0.98, abs=0.02)

"""Dominant colours with the names a shopper would use ("navy blue", not "#1f2a44").

Every pixel of a 64×64 copy is named through a precomputed lookup table (the sRGB cube
quantised to 32 levels a channel, each cell named by its nearest palette anchor in
CIELAB with CIEDE2000), pixels that get the same name are merged, and the biggest three
names are kept with their share and average colour. Naming pixels rather than naming
the centroids of a handful of clusters keeps shares honest: clustering first mixes, say,
an orange jacket with its shadow into a brown nobody sees. It costs about 0.1 ms.
"""

from __future__ import annotations

import threading

import numpy as np
import numpy.typing as npt
from PIL import Image

from core.vision.base import DominantColor

FloatArray = npt.NDArray[np.float64]

SAMPLE_SIDE = 64  # 4096 pixels: enough for stable shares, cheap to quantise
LUT_LEVELS = 32  # per channel: cells 8 levels wide, far finer than any two palette names
TOP_COLORS = 3
MIN_SHARE = 0.03  # a colour covering less than this is noise, not "a colour of the photo"

# Hand-written on purpose: this is data, not a model. Long lists (CSS, XKCD, Pantone)
# carry names nobody searches for ("papayawhip", "Stratos") and put neighbours so close
# together that the nearest name flips with lighting. About forty marketing words, each
# placed at the colour people mean by it (navy blue as navy fabric looks, not the
# #000080 of CSS), keep names stable and useful in filenames and alt text. A name may
# have several anchors when people use it for a wide region (CSS orange and a
# photographed orange jacket are both "orange").
PALETTE: tuple[tuple[str, str], ...] = (
    # neutrals
    ("black", "#0e0e10"),
    ("charcoal", "#3a3b3f"),
    ("gray", "#808080"),
    ("silver", "#c0c0c2"),
    ("off-white", "#efede6"),
    ("white", "#ffffff"),
    ("cream", "#f3e6c4"),
    ("beige", "#d8c4a4"),
    ("taupe", "#8b7f74"),
    ("tan", "#c9a47a"),
    ("camel", "#b8864b"),
    ("brown", "#7b4b2a"),
    ("chocolate brown", "#45291c"),
    ("rust", "#b3471b"),
    # reds and pinks
    ("red", "#d71920"),
    ("burgundy", "#7a1f2b"),
    ("coral", "#f7786b"),
    ("pink", "#f4a7b9"),
    ("hot pink", "#f7369b"),
    ("magenta", "#d6188a"),
    ("magenta", "#ff00ff"),
    # oranges and yellows
    ("orange", "#f5821f"),
    ("orange", "#ffa31a"),
    ("orange", "#e5733f"),
    ("peach", "#fcc9a5"),
    ("mustard", "#d8a31a"),
    ("yellow", "#fde428"),
    ("gold", "#c9a43b"),
    # greens
    ("lime green", "#8cd43a"),
    ("green", "#2e9b45"),
    ("forest green", "#24492f"),
    ("olive green", "#6b6d2f"),
    ("sage green", "#9caf88"),
    ("mint green", "#a9e4c4"),
    ("teal", "#0e7c7b"),
    ("turquoise", "#35c9c0"),
    # blues and purples
    ("navy blue", "#1f2a44"),
    ("navy blue", "#14215e"),
    ("royal blue", "#2a4bb8"),
    ("blue", "#1f6fd1"),
    ("blue", "#1636e6"),
    ("steel blue", "#4a7aa8"),
    ("sky blue", "#8ecae6"),
    ("purple", "#6b2d90"),
    ("lavender", "#b8a4d8"),
    ("lilac", "#c8a2c8"),
    ("plum", "#6e2d5a"),
)

# A pixel with less chroma than this (CIELAB C*) is grey: JPEG noise on a grey-scale
# picture stays under ~2, while beige paper or a sepia print is well above.
NEUTRAL_CHROMA = 5.0
# An image whose pixels are this neutral, all but a sliver, is black and white.
MONOCHROME_SHARE = 0.98

_D65_WHITE = np.array([0.95047, 1.0, 1.08883])
_SRGB_TO_XYZ = np.array(
    [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ]
)


def srgb_to_lab(rgb: npt.ArrayLike) -> FloatArray:
    """sRGB 0..255 values (any shape ending in 3) to CIELAB under D65."""
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    xyz = linear @ _SRGB_TO_XYZ.T / _D65_WHITE
    delta = 6.0 / 29.0
    f = np.where(xyz > delta**3, np.cbrt(xyz), xyz / (3 * delta**2) + 4.0 / 29.0)
    lab: FloatArray = np.empty_like(f)
    lab[..., 0] = 116.0 * f[..., 1] - 16.0
    lab[..., 1] = 500.0 * (f[..., 0] - f[..., 1])
    lab[..., 2] = 200.0 * (f[..., 1] - f[..., 2])
    return lab


def ciede2000(lab1: npt.ArrayLike, lab2: npt.ArrayLike) -> FloatArray:
    """CIEDE2000 colour difference (Sharma, Wu & Dalal 2005); broadcasts like numpy.

    Chosen over plain Euclidean ΔE76 because ΔE76 overstates differences between
    saturated colours and misnames dark blues as purples, which is where palettes hurt.
    """
    a_lab, b_lab = np.asarray(lab1, dtype=np.float64), np.asarray(lab2, dtype=np.float64)
    l1, a1, b1 = a_lab[..., 0], a_lab[..., 1], a_lab[..., 2]
    l2, a2, b2 = b_lab[..., 0], b_lab[..., 1], b_lab[..., 2]
    c_bar7 = ((np.hypot(a1, b1) + np.hypot(a2, b2)) / 2.0) ** 7
    g = 0.5 * (1.0 - np.sqrt(c_bar7 / (c_bar7 + 25.0**7)))
    a1p, a2p = (1.0 + g) * a1, (1.0 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360.0
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360.0
    chroma_product = c1p * c2p
    achromatic = chroma_product == 0

    dh = h2p - h1p
    dh = np.where(dh > 180.0, dh - 360.0, np.where(dh < -180.0, dh + 360.0, dh))
    dh = np.where(achromatic, 0.0, dh)
    d_l, d_c = l2 - l1, c2p - c1p
    d_h = 2.0 * np.sqrt(chroma_product) * np.sin(np.radians(dh / 2.0))

    l_bar = (l1 + l2) / 2.0
    c_bar_p = (c1p + c2p) / 2.0
    h_sum = h1p + h2p
    h_wrapped = np.where(h_sum < 360.0, (h_sum + 360.0) / 2.0, (h_sum - 360.0) / 2.0)
    h_bar = np.where(achromatic, h_sum, np.where(np.abs(h1p - h2p) <= 180.0, h_sum / 2.0, h_wrapped))
    t = (
        1.0
        - 0.17 * np.cos(np.radians(h_bar - 30.0))
        + 0.24 * np.cos(np.radians(2.0 * h_bar))
        + 0.32 * np.cos(np.radians(3.0 * h_bar + 6.0))
        - 0.20 * np.cos(np.radians(4.0 * h_bar - 63.0))
    )
    d_theta = 30.0 * np.exp(-(((h_bar - 275.0) / 25.0) ** 2))
    c_bar_p7 = c_bar_p**7
    r_c = 2.0 * np.sqrt(c_bar_p7 / (c_bar_p7 + 25.0**7))
    s_l = 1.0 + 0.015 * (l_bar - 50.0) ** 2 / np.sqrt(20.0 + (l_bar - 50.0) ** 2)
    s_c = 1.0 + 0.045 * c_bar_p
    s_h = 1.0 + 0.015 * c_bar_p * t
    r_t = -np.sin(np.radians(2.0 * d_theta)) * r_c
    result: FloatArray = np.sqrt(
        (d_l / s_l) ** 2 + (d_c / s_c) ** 2 + (d_h / s_h) ** 2 + r_t * (d_c / s_c) * (d_h / s_h)
    )
    return result


def _hex_to_rgb(value: str) -> tuple[int, int, int]:
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


_ANCHOR_NAMES = [name for name, _ in PALETTE]
_ANCHOR_LAB = srgb_to_lab([_hex_to_rgb(value) for _, value in PALETTE])
NAMES: tuple[str, ...] = tuple(dict.fromkeys(_ANCHOR_NAMES))
_ANCHOR_NAME_INDEX = np.array([NAMES.index(name) for name in _ANCHOR_NAMES], dtype=np.uint8)

_lut: npt.NDArray[np.uint8] | None = None
_lut_lock = threading.Lock()


def _nearest_names(lab: FloatArray) -> npt.NDArray[np.uint8]:
    distances = ciede2000(lab[:, None, :], _ANCHOR_LAB[None, :, :])
    result: npt.NDArray[np.uint8] = _ANCHOR_NAME_INDEX[distances.argmin(axis=1)]
    return result


def name_lut() -> npt.NDArray[np.uint8]:
    """Index into NAMES for every cell of the quantised sRGB cube (built once, ~0.4 s, 32 KB)."""
    global _lut
    with _lut_lock:
        if _lut is None:
            centres = (np.arange(LUT_LEVELS) + 0.5) * (256 / LUT_LEVELS)
            cube = np.stack(np.meshgrid(centres, centres, centres, indexing="ij"), axis=-1).reshape(-1, 3)
            lab = srgb_to_lab(cube)
            table = np.empty(len(cube), dtype=np.uint8)
            chunk = 2048  # bounds the temporaries of the broadcast to a few MB
            for start in range(0, len(cube), chunk):
                table[start : start + chunk] = _nearest_names(lab[start : start + chunk])
            _lut = table
        return _lut


def _lut_index(rgb: npt.NDArray[np.uint8]) -> npt.NDArray[np.intp]:
    shift = 8 - int(np.log2(LUT_LEVELS))
    bits = int(np.log2(LUT_LEVELS))
    cells = (rgb >> shift).astype(np.intp)
    result: npt.NDArray[np.intp] = (cells[..., 0] << (2 * bits)) | (cells[..., 1] << bits) | cells[..., 2]
    return result


def name_colors(rgb: npt.ArrayLike) -> list[str]:
    """The palette name nearest to each sRGB colour (an (n, 3) array of 0..255 values), exactly."""
    lab = srgb_to_lab(np.asarray(rgb, dtype=np.float64).reshape(-1, 3))
    return [NAMES[index] for index in _nearest_names(lab)]


def name_color(rgb: tuple[int, int, int]) -> str:
    return name_colors([rgb])[0]


def sample_pixels(image: Image.Image, alpha: Image.Image | None = None) -> npt.NDArray[np.uint8]:
    """The opaque pixels of a SAMPLE_SIDE² copy of an RGB image, as an (n, 3) array.

    Squashing the image to a square changes no area fraction, so shares stay true.
    `alpha` (mode "L", same size as `image`) drops transparent pixels.
    """
    size = (SAMPLE_SIDE, SAMPLE_SIDE)
    pixels: npt.NDArray[np.uint8] = np.asarray(image.resize(size, Image.Resampling.BOX), dtype=np.uint8).reshape(-1, 3)
    if alpha is not None:
        pixels = pixels[np.asarray(alpha.resize(size, Image.Resampling.BOX)).ravel() >= 128]
    return pixels


def dominant_colors(pixels: npt.NDArray[np.uint8]) -> list[DominantColor]:
    """Up to TOP_COLORS named colours of sampled pixels, biggest share first."""
    if len(pixels) == 0:
        return []
    names = name_lut()[_lut_index(pixels)]
    counts = np.bincount(names, minlength=len(NAMES))
    sums = np.stack([np.bincount(names, weights=pixels[:, band], minlength=len(NAMES)) for band in range(3)], axis=1)

    result: list[DominantColor] = []
    for index in np.argsort(-counts, kind="stable")[:TOP_COLORS]:
        share = counts[index] / len(pixels)
        if share < MIN_SHARE:
            break
        red, green, blue = np.rint(sums[index] / counts[index]).astype(int).tolist()
        result.append(DominantColor(name=NAMES[index], hex=f"#{red:02x}{green:02x}{blue:02x}", share=round(share, 3)))
    return result


def is_monochrome(pixels: npt.NDArray[np.uint8]) -> bool:
    """True for a black-and-white (or grey-scale) picture: nearly every pixel is neutral."""
    if len(pixels) == 0:
        return False
    lab = srgb_to_lab(pixels)
    neutral = np.hypot(lab[:, 1], lab[:, 2]) < NEUTRAL_CHROMA
    return bool(neutral.mean() >= MONOCHROME_SHARE)

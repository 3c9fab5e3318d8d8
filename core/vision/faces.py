"""Counting frontal faces with OpenCV's Haar cascade (shipped in the wheel; no download).

The cascade is the most expensive stage of the analysis: tens of milliseconds at
FACE_SIDE on one core, more than the reduced JPEG decode (bench/analysis_rates.py).

A cascade object keeps per-call scratch state, so it is not safe to share between
threads; each thread gets its own (about 1 MB, loaded in ~30 ms on first use).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

CASCADE_FILE = Path(cv2.data.haarcascades) / "haarcascade_frontalface_default.xml"  # type: ignore[attr-defined]

# Working size (long side) and the smallest face searched for, in pixels of it: faces
# from MIN_FACE / FACE_SIDE (7.5 %) of the long side up. The scan costs ~(FACE_SIDE /
# MIN_FACE)² windows: on one EPYC core ~35 ms at 320 px (decoding a 12 MP JPEG is ~15
# ms), ~22 ms at 256 px, ~130 ms at the 640 px first asked for. Below ~300 px the
# cascade starts missing large faces too (too few pixels per feature), so 320 it is.
FACE_SIDE = 320
MIN_FACE = 24  # the cascade's native window
SCALE_FACTOR = 1.15
# Neighbouring hits needed to accept a face. Measured with 4 on a synthetic set
# (skimage's astronaut pasted at 8-40 % of the width on four backgrounds, rows of 2-6
# heads): 27 of 33 counts right, the misses being the 8 % faces (at the 24 px limit) and two
# rows of small heads; skimage's coffee, chelsea (a cat), rocket, camera, grass, gravel,
# brick, moon, horse and a scanned page give no face, a micrograph ("cell") and old
# coins do. With 5 the 10 % faces are lost as well and the coins stay.
MIN_NEIGHBORS = 4


# The skin gate: a colour photo with no skin-toned pixels has no face to find, and the
# cascade is the costliest stage, so it runs only when skin tones are present (or the
# image is monochrome, where colour says nothing). Chai & Ngan's YCrCb skin ranges hold
# across skin tones; a face of MIN_FACE / FACE_SIDE of the long side covers about 0.5 %
# of the picture, so a quarter of that is the threshold.
SKIN_CR = (133, 173)
SKIN_CB = (77, 127)
MIN_SKIN_FRACTION = 0.00125


def skin_fraction(pixels: npt.NDArray[np.uint8]) -> float:
    """Share of skin-toned pixels in an (n, 3) RGB sample."""
    if len(pixels) == 0:
        return 0.0
    rgb = pixels.astype(np.float32)
    r, g, b = rgb[:, 0], rgb[:, 1], rgb[:, 2]
    cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b
    cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b
    skin = (cr >= SKIN_CR[0]) & (cr <= SKIN_CR[1]) & (cb >= SKIN_CB[0]) & (cb <= SKIN_CB[1])
    return float(skin.mean())


@dataclass(frozen=True)
class Face:
    """A face box as fractions of the image width and height."""

    x: float
    y: float
    width: float
    height: float


class FaceDetector:
    def __init__(self, cascade_file: Path = CASCADE_FILE) -> None:
        self._cascade_file = cascade_file
        self._local = threading.local()

    def _cascade(self) -> cv2.CascadeClassifier:
        cascade: cv2.CascadeClassifier | None = getattr(self._local, "cascade", None)
        if cascade is None:
            cascade = cv2.CascadeClassifier(str(self._cascade_file))
            if cascade.empty():
                raise RuntimeError(f"cannot load the face cascade {self._cascade_file}")
            self._local.cascade = cascade
        return cascade

    def load(self) -> None:
        self._cascade()

    def detect(self, gray: npt.NDArray[np.uint8], *, side: int = FACE_SIDE) -> list[Face]:
        """Faces in a grey image of any size (resized to `side` on its long side)."""
        height, width = gray.shape
        scale = side / max(height, width)
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        small = cv2.resize(gray, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
        boxes = self._cascade().detectMultiScale(
            small, scaleFactor=SCALE_FACTOR, minNeighbors=MIN_NEIGHBORS, minSize=(MIN_FACE, MIN_FACE)
        )
        faces = [
            Face(x=bx / size[0], y=by / size[1], width=bw / size[0], height=bh / size[1])
            for bx, by, bw, bh in np.asarray(boxes).reshape(-1, 4).tolist()
        ]
        return _drop_nested(faces)


def _drop_nested(faces: list[Face]) -> list[Face]:
    """One face per person: the cascade sometimes reports a box inside another."""
    kept: list[Face] = []
    for face in sorted(faces, key=lambda f: -f.width * f.height):
        centre_x, centre_y = face.x + face.width / 2, face.y + face.height / 2
        if not any(big.x <= centre_x <= big.x + big.width and big.y <= centre_y <= big.y + big.height for big in kept):
            kept.append(face)
    return kept

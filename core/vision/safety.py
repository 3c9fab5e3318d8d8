"""The local analyzer's content-safety flag: NudeNet's detector on the analysis decode.

NudeNet 3.4 is a YOLOv8 detector (an ONNX model shipped inside the `nudenet` wheel,
nothing downloaded) with 18 body-part classes, exposed and covered. A picture is flagged
when one of the explicit exposed classes scores at least the threshold; covered parts,
faces, feet, bellies, armpits and bare male chests never flag on their own.

The detector sees the reduced copy the analyzer already decoded (512-1024 px on the long
side), never the original: the model works at 320 × 320, so a second full decode would
only cost time.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypedDict

import cv2
import numpy as np
import numpy.typing as npt
import onnxruntime
from nudenet import NudeDetector
from nudenet import nudenet as nudenet_module
from onnxruntime.capi.onnxruntime_pybind11_state import Fail, InvalidGraph, InvalidProtobuf, NoSuchFile
from PIL import Image

from core.config import get_settings
from core.errors import ProviderMisconfigured
from core.vision.base import Safety

log = logging.getLogger(__name__)

SOURCE = "nudenet"
MODEL_FILE = Path(nudenet_module.__file__).with_name("320n.onnx")
# NudeNet's own label order (the model's output columns), read from the package so a
# renamed class in a future release fails the test that checks EXPLICIT_CLASSES against it.
MODEL_CLASSES: tuple[str, ...] = tuple(nudenet_module.__labels)
EXPLICIT_CLASSES = frozenset(
    {
        "FEMALE_GENITALIA_EXPOSED",
        "MALE_GENITALIA_EXPOSED",
        "FEMALE_BREAST_EXPOSED",
        "ANUS_EXPOSED",
        "BUTTOCKS_EXPOSED",
    }
)
NUDITY = "nudity"


# One entry of `NudeDetector.detect()`'s list; box is x, y, width, height in input pixels.
# Functional syntax because "class" is a keyword.
Detection = TypedDict("Detection", {"class": str, "score": float, "box": list[int]})


def decide(detections: Iterable[Detection], *, threshold: float) -> Safety:
    """The verdict for NudeNet-shaped detections (`{"class": ..., "score": ..., "box": ...}`).

    Flagged when an explicit class scores >= threshold. `score` is the highest explicit
    score seen, flagged or not (what a threshold change would act on), None without one.
    """
    explicit = [float(d["score"]) for d in detections if d["class"] in EXPLICIT_CLASSES]
    top = max(explicit, default=None)
    flagged = top is not None and top >= threshold
    return Safety(flagged=flagged, reasons=[NUDITY] if flagged else [], source=SOURCE, score=top)


# nudenet ships no type information, so mypy sees NudeDetector as Any.
class _SingleThreadDetector(NudeDetector):  # type: ignore[misc]
    """NudeDetector with our own onnxruntime session and a vectorised `detect()`.

    NudeDetector.__init__ builds its session with default options, which sizes the
    intra-op pool to every core of the machine. Our workers already scale by processes,
    one per core, so each session gets one thread; N pools of N threads would only
    oversubscribe the cores and make every image slower. Pre-processing is NudeNet's own
    `_read_image` (nudenet 3.4.2, pinned in uv.lock); the tests compare our detect() with
    NudeNet's file route, so an upstream change shows.
    """

    def __init__(self, model_file: Path, *, inference_resolution: int = 320) -> None:
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        # No pre-planned memory pattern: it holds one block sized for the whole graph for the
        # life of the process. Without it a worker child peaks 5-8 MB lower (bench: peak RSS
        # per worker process, target 300 MB) for +0.1-0.2 ms per picture.
        options.enable_mem_pattern = False
        self.onnx_session = onnxruntime.InferenceSession(
            str(model_file), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self.input_width = inference_resolution
        self.input_height = inference_resolution
        self.input_name = self.onnx_session.get_inputs()[0].name

    def detect(self, image: npt.NDArray[Any]) -> list[Detection]:
        """NudeNet's detect() for an array, with its post-processing vectorised (see `postprocess`)."""
        blob, _x_ratio, _y_ratio, x_pad, y_pad, width, height = nudenet_module._read_image(image, self.input_width)
        outputs = self.onnx_session.run(None, {self.input_name: blob})
        return postprocess(outputs[0], x_pad=x_pad, y_pad=y_pad, width=width, height=height, size=self.input_width)


def postprocess(
    output: npt.NDArray[np.float32], *, x_pad: int, y_pad: int, width: int, height: int, size: int
) -> list[Detection]:
    """nudenet 3.4's `_postprocess`, vectorised with numpy: same boxes, scores and classes.

    Written here because upstream walks the model's 2,100 candidate rows in a Python loop
    (about 7 ms of the 23 ms a picture costs on one core); tests compare the two on real
    and random model outputs.
    """
    rows = np.squeeze(output).T  # (candidates, 4 box values + one score per class)
    class_scores = rows[:, 4:]
    best = class_scores.max(axis=1)
    keep = best >= 0.2  # upstream's candidate cut
    rows, best = rows[keep], best[keep]
    class_ids = class_scores[keep].argmax(axis=1)
    cx, cy, w, h = rows[:, 0], rows[:, 1], rows[:, 2], rows[:, 3]
    # Centre to corner, model input to picture (padding on the right and bottom), clipped.
    x = np.clip((cx - w / 2) * (width + x_pad) / size, 0, width)
    y = np.clip((cy - h / 2) * (height + y_pad) / size, 0, height)
    w = np.minimum(w * (width + x_pad) / size, width - x)
    h = np.minimum(h * (height + y_pad) / size, height - y)
    boxes = np.stack([x, y, w, h], axis=1)
    indices = cv2.dnn.NMSBoxes(boxes.tolist(), best.tolist(), 0.25, 0.45)
    return [
        {
            "class": MODEL_CLASSES[int(class_ids[i])],
            "score": float(best[i]),
            "box": [int(value) for value in boxes[i]],
        }
        for i in indices
    ]


class SafetyClassifier:
    """`load()` once per process, then `classify()` from any thread (onnxruntime's run() is thread-safe)."""

    def __init__(self, *, threshold: float | None = None, model_file: Path = MODEL_FILE) -> None:
        threshold = get_settings().nudenet_threshold if threshold is None else threshold
        # NudeNet drops every box scoring under 0.2 before we see it, so a lower threshold
        # would silently act as 0.2.
        if not 0.2 <= threshold <= 1.0:
            raise ProviderMisconfigured(
                f"RENAMER_NUDENET_THRESHOLD must be between 0.2 and 1, got {threshold}.", provider="local"
            )
        self.threshold = threshold
        self.model_file = model_file
        self._detector: _SingleThreadDetector | None = None
        self._lock = threading.Lock()

    def load(self) -> None:
        """Open the ONNX session (~0.2 s). Idempotent and thread-safe."""
        with self._lock:
            if self._detector is not None:
                return
            if not self.model_file.is_file():
                raise ProviderMisconfigured(
                    f"NudeNet's model {self.model_file} is missing; reinstall the nudenet package "
                    "or set RENAMER_NUDENET_ENABLED=false.",
                    provider="local",
                )
            try:
                self._detector = _SingleThreadDetector(self.model_file)
            except (InvalidProtobuf, InvalidGraph, NoSuchFile, Fail) as exc:
                raise ProviderMisconfigured(
                    f"NudeNet's model {self.model_file} cannot be loaded ({exc}); reinstall the nudenet package "
                    "or set RENAMER_NUDENET_ENABLED=false.",
                    provider="local",
                ) from exc
            log.debug("nudenet model loaded from %s", self.model_file)

    def detect(self, image: Image.Image) -> list[Detection]:
        """NudeNet's detections for a PIL image of any mode, in the image's pixel coordinates."""
        if self._detector is None:
            self.load()
        assert self._detector is not None
        rgb = np.asarray(image if image.mode == "RGB" else image.convert("RGB"))
        # detect() takes an array and treats it as cv2.imread's output, BGR: its
        # preprocessing swaps the channels twice (RGBA2BGR, then blobFromImage's swapRB).
        # Handing it BGR gives the model exactly what it sees for a file path.
        bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
        detections: list[Detection] = self._detector.detect(bgr)
        return detections

    def classify(self, image: Image.Image) -> Safety:
        """The verdict for a picture, typically the analyzer's reduced decode."""
        return decide(self.detect(image), threshold=self.threshold)

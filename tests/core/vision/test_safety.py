"""The NudeNet safety flag: the real model on real photographs, and the decision rule.

We cannot ship explicit images in this repository, so the positive side is tested on the
decision rule alone, fed detection lists shaped exactly like NudeNet's `detect()` output
(`{"class", "score", "box"}`); the model itself is tested on real photographs that must
not be flagged, and on agreeing with NudeNet's own file-path route.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from nudenet import NudeDetector
from nudenet import nudenet as nudenet_module
from PIL import Image
from skimage import data

from core.config import get_settings
from core.errors import ProviderMisconfigured
from core.vision.safety import EXPLICIT_CLASSES, MODEL_CLASSES, MODEL_FILE, SafetyClassifier, decide, postprocess
from core.vision.safety import Detection as NudeNetDetection

THRESHOLD = 0.6
NEVER_FLAGGING = sorted(set(MODEL_CLASSES) - EXPLICIT_CLASSES)


@pytest.fixture(scope="module")
def classifier() -> SafetyClassifier:
    classifier = SafetyClassifier(threshold=THRESHOLD)
    classifier.load()
    return classifier


def detection(kind: str, score: float) -> NudeNetDetection:
    return {"class": kind, "score": score, "box": [10, 20, 100, 120]}


# --------------------------------------------------------------------------- the model


def test_the_model_comes_from_the_package_and_its_classes_match_its_outputs(classifier: SafetyClassifier) -> None:
    assert MODEL_FILE.is_file() and "site-packages/nudenet" in MODEL_FILE.as_posix()
    assert EXPLICIT_CLASSES.issubset(MODEL_CLASSES)  # a renamed class upstream would silently never flag
    assert classifier._detector is not None
    output = classifier._detector.onnx_session.get_outputs()[0]
    assert output.shape[1] == 4 + len(MODEL_CLASSES)  # box (4) + one score per class


def test_the_session_uses_one_thread(classifier: SafetyClassifier) -> None:
    assert classifier._detector is not None
    options = classifier._detector.onnx_session.get_session_options()
    assert (options.intra_op_num_threads, options.inter_op_num_threads) == (1, 1)
    assert options.enable_mem_pattern is False  # the worker's memory budget (see _SingleThreadDetector)


@pytest.mark.parametrize("photo", [data.astronaut, data.coffee, data.chelsea, data.rocket], ids=lambda f: f.__name__)
def test_real_photographs_are_not_flagged(classifier: SafetyClassifier, photo: Callable[[], np.ndarray]) -> None:
    verdict = classifier.classify(Image.fromarray(photo()))
    assert verdict.flagged is False
    assert verdict.reasons == []
    assert verdict.source == "nudenet"
    assert verdict.score is None or verdict.score < THRESHOLD


def test_the_model_really_looks_a_face_is_found_and_does_not_flag(classifier: SafetyClassifier) -> None:
    astronaut = Image.fromarray(data.astronaut())
    found = {d["class"]: d["score"] for d in classifier.detect(astronaut)}
    assert found.get("FACE_FEMALE", 0.0) > 0.5
    assert classifier.classify(astronaut).flagged is False


def test_a_pil_image_gets_the_same_detections_as_nudenets_own_file_route(
    classifier: SafetyClassifier, tmp_path: Path
) -> None:
    """The colour order matters (the model sees BGR from a path); a swap changes the scores."""
    path = tmp_path / "astronaut.png"
    Image.fromarray(data.astronaut()).save(path)
    stock = NudeDetector().detect(str(path))
    ours = classifier.detect(Image.open(path))
    assert [d["class"] for d in ours] == [d["class"] for d in stock] and ours
    for mine, theirs in zip(ours, stock, strict=True):
        assert mine["score"] == pytest.approx(theirs["score"], abs=1e-3)
        assert mine["box"] == theirs["box"]


@pytest.mark.parametrize("seed", range(5))
def test_the_vectorised_postprocess_matches_nudenets_loop(seed: int) -> None:
    """Random model outputs with hundreds of candidates over the cut, overlapping boxes for
    NMS to drop, boxes reaching past the picture, and padding on either side."""
    rng = np.random.default_rng(seed)
    candidates, size = 2100, 320
    output = np.zeros((1, 4 + len(MODEL_CLASSES), candidates), dtype=np.float32)
    output[0, 0:2] = rng.uniform(-20, size + 20, (2, candidates))  # centres, some outside
    output[0, 2:4] = rng.uniform(2, 200, (2, candidates))  # widths and heights
    output[0, 4:] = rng.uniform(0, 1, (len(MODEL_CLASSES), candidates)) ** 6  # most under 0.2
    width, height = (1000, 750) if seed % 2 else (600, 900)
    x_pad, y_pad = max(width, height) - width, max(width, height) - height
    upstream = nudenet_module._postprocess([output], x_pad, y_pad, None, None, width, height, size, size)
    ours = postprocess(output, x_pad=x_pad, y_pad=y_pad, width=width, height=height, size=size)
    assert len(upstream) > 20  # the case is not trivial
    assert ours == upstream


def test_grey_and_transparent_images_are_classified(classifier: SafetyClassifier) -> None:
    grey = Image.fromarray(data.camera())
    with_alpha = Image.fromarray(data.coffee()).convert("RGBA")
    assert classifier.classify(grey).flagged is False
    assert classifier.classify(with_alpha).flagged is False


# --------------------------------------------------------------------------- the decision rule


@pytest.mark.parametrize("kind", sorted(EXPLICIT_CLASSES))
def test_each_explicit_class_above_the_threshold_flags(kind: str) -> None:
    verdict = decide([detection("FACE_FEMALE", 0.9), detection(kind, 0.83)], threshold=THRESHOLD)
    assert verdict.flagged is True
    assert verdict.reasons == ["nudity"]
    assert verdict.score == pytest.approx(0.83)
    assert verdict.source == "nudenet"


def test_the_threshold_itself_flags_and_just_below_does_not() -> None:
    assert decide([detection("BUTTOCKS_EXPOSED", 0.6)], threshold=0.6).flagged is True
    below = decide([detection("BUTTOCKS_EXPOSED", 0.5999)], threshold=0.6)
    assert below.flagged is False and below.reasons == []
    assert below.score == pytest.approx(0.5999)  # reported, so a threshold can be tuned on real verdicts


@pytest.mark.parametrize("kind", NEVER_FLAGGING)
def test_covered_face_feet_and_other_classes_never_flag(kind: str) -> None:
    verdict = decide([detection(kind, 0.99)], threshold=THRESHOLD)
    assert verdict.flagged is False
    assert verdict.score is None


def test_the_score_is_the_highest_explicit_one() -> None:
    verdict = decide(
        [
            detection("FEMALE_BREAST_COVERED", 0.97),
            detection("ANUS_EXPOSED", 0.64),
            detection("MALE_GENITALIA_EXPOSED", 0.71),
            detection("FEET_EXPOSED", 0.95),
        ],
        threshold=THRESHOLD,
    )
    assert verdict.flagged is True
    assert verdict.score == pytest.approx(0.71)


def test_nothing_detected_is_not_flagged() -> None:
    assert decide([], threshold=THRESHOLD).model_dump() == {
        "flagged": False,
        "reasons": [],
        "source": "nudenet",
        "score": None,
    }


def test_the_threshold_comes_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RENAMER_NUDENET_THRESHOLD", "0.85")
    get_settings.cache_clear()
    try:
        strict = SafetyClassifier()
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert strict.threshold == 0.85
    assert SafetyClassifier().threshold == get_settings().nudenet_threshold


@pytest.mark.parametrize("threshold", [0.0, 0.1, 1.5])
def test_a_threshold_nudenet_cannot_honour_is_refused(threshold: float) -> None:
    with pytest.raises(ProviderMisconfigured, match=r"RENAMER_NUDENET_THRESHOLD must be between 0\.2 and 1"):
        SafetyClassifier(threshold=threshold)


# --------------------------------------------------------------------------- a broken install


def test_a_missing_model_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ProviderMisconfigured, match="RENAMER_NUDENET_ENABLED=false"):
        SafetyClassifier(model_file=tmp_path / "320n.onnx").load()


def test_a_corrupt_model_says_what_to_do(tmp_path: Path) -> None:
    corrupt = tmp_path / "320n.onnx"
    corrupt.write_bytes(MODEL_FILE.read_bytes()[:4096])
    with pytest.raises(ProviderMisconfigured, match="cannot be loaded"):
        SafetyClassifier(model_file=corrupt).load()

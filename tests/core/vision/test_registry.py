from __future__ import annotations

import pytest

from core.vision.base import VisionProvider
from core.vision.local import LocalAnalyzer
from core.vision.registry import get_provider


def test_local_is_one_loaded_instance_per_process() -> None:
    provider = get_provider("local")
    assert isinstance(provider, LocalAnalyzer)
    assert provider.name == "local"
    assert get_provider("local") is provider
    checked: VisionProvider = provider  # satisfies the protocol (mypy checks this line)
    assert checked is provider


def test_an_unknown_provider_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"'gemini'.*local"):
        get_provider("gemini")

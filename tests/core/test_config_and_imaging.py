from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

import PIL
import pytest
from pydantic import ValidationError

from core.config import Settings
from core.imaging import assert_pillow_simd


def test_pillow_simd_is_the_loaded_pil_and_plain_pillow_is_absent() -> None:
    assert assert_pillow_simd() == PIL.__version__
    with pytest.raises(PackageNotFoundError):
        version("pillow")


def test_lockfile_never_brings_plain_pillow_back() -> None:
    """Every package that asks for Pillow gets it only under the never-true override marker."""
    import re

    from core.config import PROJECT_ROOT

    lock = (PROJECT_ROOT / "uv.lock").read_text()
    assert '\nname = "pillow-simd"\n' in lock
    edges = re.findall(r'\{ name = "pillow"(?:, marker = "([^"]*)")? \}', lock)
    assert edges, "pillow-heif and friends depend on pillow"
    assert set(edges) == {"sys_platform == 'never'"}, edges


@pytest.mark.parametrize("environment", ["staging", "production"])
def test_default_secrets_are_refused_outside_development(environment: str) -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(environment=environment)
    with pytest.raises(ValidationError, match="S3_SECRET_KEY"):
        Settings(environment=environment, secret_key="x" * 40)
    ok = Settings(environment=environment, secret_key="x" * 40, s3_secret_key="a-real-secret")
    assert ok.environment == environment


def test_development_defaults_need_no_keys() -> None:
    assert Settings(environment="dev").vision_provider == "local"

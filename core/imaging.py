"""Image library set-up shared by the services: Pillow-SIMD, HEIF and AVIF plugins."""

from __future__ import annotations

import PIL


class PillowNotSimd(RuntimeError):
    pass


def assert_pillow_simd() -> str:
    """Refuse to start on plain Pillow: a dependency may have pulled it back over Pillow-SIMD."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        simd = version("pillow-simd")
    except PackageNotFoundError as exc:
        raise PillowNotSimd("Pillow-SIMD is not installed; run `uv sync --frozen`.") from exc
    try:
        plain = version("pillow")
    except PackageNotFoundError:
        plain = None
    if plain is not None or PIL.__version__ != simd:
        raise PillowNotSimd(
            f"PIL {PIL.__version__} is loaded but Pillow-SIMD {simd} is expected (plain Pillow {plain} installed?)."
        )
    return simd

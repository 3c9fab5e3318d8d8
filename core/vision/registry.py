"""Vision providers by name: one cached, loaded instance per process.

Providers are imported only when asked for, so a cloud provider's SDK costs nothing
to a deployment that runs the local one (and the reverse). Add a provider by adding
its "module:Class" here; the class must satisfy `core.vision.base.VisionProvider` and
take no required constructor arguments (it reads its settings itself).
"""

from __future__ import annotations

import importlib
import threading
from typing import cast

from core.vision.base import VisionProvider

PROVIDERS: dict[str, str] = {
    "local": "core.vision.local:LocalAnalyzer",
}

_instances: dict[str, VisionProvider] = {}
_lock = threading.Lock()


def get_provider(name: str) -> VisionProvider:
    """The process-wide provider called `name`, loaded on first use.

    Raises ValueError for a name that is not registered, listing the known ones.
    """
    with _lock:
        provider = _instances.get(name)
        if provider is None:
            if name not in PROVIDERS:
                known = ", ".join(sorted(PROVIDERS))
                raise ValueError(f"Unknown vision provider {name!r}; known providers: {known}")
            module_name, class_name = PROVIDERS[name].split(":")
            factory = getattr(importlib.import_module(module_name), class_name)
            provider = cast(VisionProvider, factory())
            provider.load()
            _instances[name] = provider
        return provider

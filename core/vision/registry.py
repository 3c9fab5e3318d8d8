"""Vision providers by name: one cached, loaded instance per process.

Providers are imported only when asked for, so a cloud provider's SDK costs nothing
to a deployment that runs the local one (and the reverse). Add a provider by adding
its "module:Class" here; the class must satisfy `core.vision.base.VisionProvider` and
take no required constructor arguments (it reads its settings itself).
"""

from __future__ import annotations

import importlib
import logging
import threading
from typing import cast

from core.config import Settings
from core.errors import ProviderMisconfigured
from core.queue import Queue
from core.vision.base import VisionProvider

PROVIDERS: dict[str, str] = {
    "local": "core.vision.local:LocalAnalyzer",
    "openai": "core.vision.openai_vision:OpenAIProvider",
    "openai_compatible": "core.vision.openai_vision:OpenAICompatibleProvider",
    "google_vision": "core.vision.google_vision:GoogleVisionProvider",
}
# Providers that wait on the network: their images go to the I/O queue (core.queue.Queue.VISION).
REMOTE_PROVIDERS = frozenset({"openai", "openai_compatible", "google_vision"})

log = logging.getLogger(__name__)
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


def get_chain(names: list[str]) -> list[VisionProvider]:
    """The loaded providers of a chain. One that cannot load (no key, no base URL) is left out
    and logged, so its images go to the next one; a chain left empty raises ProviderMisconfigured."""
    providers: list[VisionProvider] = []
    problems: list[str] = []
    for name in names:
        try:
            providers.append(get_provider(name))
        except ProviderMisconfigured as exc:
            log.error("vision provider %s cannot be used: %s", name, exc.detail)
            problems.append(exc.detail)
    if not providers:
        raise ProviderMisconfigured(
            "No vision provider of the chain can be used: " + " ".join(problems), provider=",".join(names)
        )
    return providers


def is_configured(settings: Settings, name: str) -> bool:
    """Whether the operator gave `name` what it needs (a key, an endpoint); local always is."""
    if name == "local":
        return True
    if name == "openai":
        return settings.openai_api_key is not None
    if name == "openai_compatible":
        return bool(settings.compatible_base_url)
    if name == "google_vision":
        return settings.google_vision_api_key is not None or settings.google_vision_credentials_file is not None
    return False


def available_providers(settings: Settings) -> list[str]:
    """Providers a batch may choose: registered and configured, the operator's chain first."""
    chain = [name for name in settings.provider_chain if name in PROVIDERS]
    others = [name for name in PROVIDERS if name not in chain and is_configured(settings, name)]
    return [name for name in chain + others if is_configured(settings, name)]


def chain_for(settings: Settings, batch_providers: list[str] | None) -> list[str]:
    """The chain for one batch: its own choice when it made one, else the operator's."""
    return list(batch_providers) if batch_providers else list(settings.provider_chain)


def is_remote_chain(names: list[str]) -> bool:
    return bool(names) and names[0] in REMOTE_PROVIDERS


def queue_for(settings: Settings, batch_providers: list[str] | None) -> Queue:
    """Remote providers wait on the network: their images go to the thread-pool worker."""
    return Queue.VISION if is_remote_chain(chain_for(settings, batch_providers)) else Queue.IMAGES

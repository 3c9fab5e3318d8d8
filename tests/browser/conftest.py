"""Browser tests: a real Chromium drives the built frontend against the whole stack
(API, worker, realtime service, `next start`), started by scripts/stack.py on free ports
with the test database, bucket and Redis database of tests/conftest.py.

Needs Debian's chromium (/usr/bin/chromium), the `playwright` Python package (its
browsers are never downloaded) and Node.js 20+ with npm. When one is missing the tests
are skipped with the reason, except under CI, where that is a failure.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.config import PROJECT_ROOT
from scripts import stack as stack_module

CHROMIUM = Path(os.environ.get("RENAMER_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "browser"


def _missing_prerequisites() -> list[str]:
    missing = []
    if importlib.util.find_spec("playwright") is None:
        missing.append("the `playwright` Python package")
    if not CHROMIUM.exists():
        missing.append(f"Chromium at {CHROMIUM} (apt-get install chromium)")
    if shutil.which("node") is None or shutil.which("npm") is None:
        missing.append("Node.js 20+ and npm")
    return missing


@pytest.fixture(scope="session")
def browser_prerequisites() -> None:
    missing = _missing_prerequisites()
    if missing:
        message = "browser tests need " + ", ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def frontend_build(browser_prerequisites: None, artifacts: Path) -> None:
    """`npm install` (from the lock) and `next build` when node_modules or .next is missing or stale."""
    with (artifacts / "frontend-build.log").open("w") as log:
        stack_module.ensure_frontend_built(log=log)


@pytest.fixture(scope="module")
def stack_env() -> dict[str, str]:
    """Extra environment for the module's stack (a module overrides this fixture, e.g. to
    point the API at a local OpenID Connect provider or Stripe fake)."""
    return {}


@pytest.fixture(scope="module")
def stack(
    services: None,
    frontend_build: None,
    artifacts: Path,
    stack_env: dict[str, str],
    request: pytest.FixtureRequest,
) -> Iterator[Any]:
    """API, worker, realtime and frontend for this module only: its worker must not outlive
    the module, or it would take jobs meant for the worker tests' own workers. The session's
    shared worker is stopped meanwhile, or it would name the module's images behind its back."""
    from tests.support.processes import running_session_worker

    session_worker = running_session_worker(request)
    if session_worker is not None:
        session_worker.stop()
    running = stack_module.Stack(log_dir=artifacts / "logs", env=stack_env).start(timeout=120, realtime_wait=60)
    try:
        yield running
    finally:
        running.stop()
        if session_worker is not None:
            session_worker.start()


@pytest.fixture(scope="module")
def browser(browser_prerequisites: None) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def watched(browser: Any, artifacts: Path, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser context: uncaught page errors fail the test; its pages' last state is
    saved to test-artifacts/browser/ (a screenshot per page)."""
    from playwright.sync_api import expect

    expect.set_options(timeout=30_000)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    context.on("weberror", lambda error: errors.append(str(error.error)))
    try:
        yield context
    finally:
        for index, page in enumerate(context.pages):
            page.screenshot(path=artifacts / f"{request.node.name}-{index}.png")
        context.close()
    assert errors == [], errors

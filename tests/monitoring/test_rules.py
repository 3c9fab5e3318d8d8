"""Prometheus config, recording and alert rules (monitoring/prometheus/) checked and unit tested with promtool.

promtool comes with Debian's `prometheus` package (scripts/bootstrap.sh installs it). Besides running the
unit tests in monitoring/tests/, this proves they would catch a broken alert: every alert is replaced once by
one that never fires and once by one that always fires, and promtool must then report every alert by name.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from core.config import PROJECT_ROOT

MONITORING = PROJECT_ROOT / "monitoring"
RULES = MONITORING / "prometheus" / "rules.yml"
UNIT_TESTS = sorted((MONITORING / "tests").glob("*.test.yml"))
RUNBOOK = PROJECT_ROOT / "docs" / "monitoring.md"


def promtool(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("promtool")
    if binary is None:
        pytest.fail("promtool is missing: run scripts/bootstrap.sh (it installs Debian's `prometheus` package)")
    return subprocess.run([binary, *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=240, check=False)


def _alerts(rules: dict[str, Any]) -> list[dict[str, Any]]:
    return [rule for group in rules["groups"] for rule in group["rules"] if "alert" in rule]


def _copy_with_alerts_replaced(tmp_path: Path, expr: str) -> list[Path]:
    """monitoring/ laid out again under tmp_path, every alert's expression replaced by `expr`."""
    rules = yaml.safe_load(RULES.read_text())
    for alert in _alerts(rules):
        alert["expr"] = expr
    (tmp_path / "prometheus").mkdir()
    (tmp_path / "prometheus" / "rules.yml").write_text(yaml.safe_dump(rules, sort_keys=False))
    (tmp_path / "tests").mkdir()
    return [Path(shutil.copy(test, tmp_path / "tests" / test.name)) for test in UNIT_TESTS]


def test_config_and_rule_files_are_valid() -> None:
    checked = promtool("check", "config", MONITORING / "prometheus" / "prometheus.yml")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS: 1 rule files found" in checked.stdout + checked.stderr
    rules = promtool("check", "rules", RULES)
    assert rules.returncode == 0, rules.stdout + rules.stderr


def test_the_helm_chart_can_take_the_rule_file() -> None:
    # helm/image-renamer/templates/prometheusrule.yaml reads `.groups` of the file given with --set-file.
    rules = yaml.safe_load(RULES.read_text())
    assert set(rules) == {"groups"} and rules["groups"]


def test_alert_unit_tests_pass() -> None:
    assert len(UNIT_TESTS) >= 5
    result = promtool("test", "rules", *UNIT_TESTS)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert output.count("SUCCESS") == len(UNIT_TESTS), output


def test_every_alert_has_a_firing_and_a_quiet_case_a_runbook_and_a_severity() -> None:
    cases: dict[str, dict[str, int]] = {}
    for path in UNIT_TESTS:
        for group in yaml.safe_load(path.read_text())["tests"]:
            for case in group.get("alert_rule_test", []):
                kind = "firing" if case.get("exp_alerts") else "quiet"
                counts = cases.setdefault(case["alertname"], {"firing": 0, "quiet": 0})
                counts[kind] += 1
    runbook = RUNBOOK.read_text()
    headings = {m.group(1) for m in re.finditer(r"^### (\w+)$", runbook, re.MULTILINE)}
    alerts = _alerts(yaml.safe_load(RULES.read_text()))
    assert len(alerts) >= 20
    for alert in alerts:
        name = alert["alert"]
        assert cases.get(name, {}).get("firing"), f"{name} has no unit test where it fires"
        assert cases.get(name, {}).get("quiet"), f"{name} has no unit test where it stays quiet"
        assert alert["labels"]["severity"] in ("critical", "warning"), name
        assert alert["annotations"]["runbook_url"] == f"docs/monitoring.md#{name.lower()}", name
        assert name in headings, f"docs/monitoring.md has no '### {name}' runbook"
    assert not set(cases) - {a["alert"] for a in alerts}, "unit tests name alerts that do not exist"


@pytest.mark.parametrize("replacement", ["vector(1) == 0", "vector(1)"], ids=["never-fires", "always-fires"])
def test_an_alert_that_never_or_always_fires_fails_its_unit_tests(tmp_path: Path, replacement: str) -> None:
    tests = _copy_with_alerts_replaced(tmp_path, replacement)
    result = promtool("test", "rules", *tests, cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    for alert in _alerts(yaml.safe_load(RULES.read_text())):
        assert f"alertname: {alert['alert']}," in output, f"no unit test noticed {alert['alert']} as `{replacement}`"


def test_a_rule_with_a_syntax_error_is_refused(tmp_path: Path) -> None:
    text = RULES.read_text()
    broken = text.replace("max by (queue) (renamer_queue_messages)", "max by (queue) (renamer_queue_messages", 1)
    assert broken != text
    (tmp_path / "rules.yml").write_text(broken)
    result = promtool("check", "rules", tmp_path / "rules.yml")
    assert result.returncode != 0
    assert "parse error" in result.stdout + result.stderr, result.stdout + result.stderr

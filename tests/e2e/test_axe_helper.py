"""tests/e2e/axe.py without axe-core installed: a failure under CI, a skip with the reason elsewhere."""
from __future__ import annotations

import pytest
from _pytest.outcomes import Failed, Skipped

from tests.e2e import axe


@pytest.mark.parametrize("ci, outcome", [("true", Failed), ("", Skipped)])
def test_missing_axe_core_fails_under_ci_and_skips_elsewhere(monkeypatch, tmp_path, ci, outcome) -> None:
    monkeypatch.setattr(axe, "AXE_SCRIPT", tmp_path / "node_modules" / "axe-core" / "axe.min.js")
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match="npm ci"):
        axe.axe_source()


def test_violations_are_listed_with_rule_target_and_help() -> None:
    text = axe.format_violations([{"id": "link-name", "help": "Links must have discernible text",
                                   "targets": ["#skip-link"]}])
    assert text == "  link-name: #skip-link — Links must have discernible text"

"""axe-core in the dash_duo browser: WCAG 2.1 A/AA rules (and two best-practice ones) on the
page as a person sees it.

`package.json` pins axe-core (`npm ci` installs it into node_modules/); this helper injects
`node_modules/axe-core/axe.min.js` into the page and runs `axe.run`. Without it the tests
cannot check anything: under CI (`CI=true`) that is a failure, elsewhere a skip that says why.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

AXE_SCRIPT = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.1 levels A and AA, plus two best-practice rules about landmarks: every piece of
# content inside a landmark ("region") and no two landmarks of one kind without distinct
# names ("landmark-unique"): screen-reader users move by landmarks.
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
BEST_PRACTICE_RULES = ("region", "landmark-unique")


def axe_source() -> str:
    """The axe-core script; fails under CI and skips elsewhere when it is not installed."""
    if not AXE_SCRIPT.is_file():
        reason = f"axe-core is not installed ({AXE_SCRIPT} missing): run `npm ci` at the repository root"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return AXE_SCRIPT.read_text(encoding="utf-8")


def axe_violations(dash_duo, context: str = "document") -> list[dict]:
    """The axe violations of the current page: [{id, help, targets: [css selector, ...],
    summaries: [why each target fails, ...]}]."""
    driver = dash_duo.driver
    if not driver.execute_script("return typeof window.axe !== 'undefined';"):
        driver.execute_script(axe_source())
    driver.set_script_timeout(60)
    options = {
        "runOnly": {"type": "tag", "values": list(WCAG_TAGS)},
        "rules": {rule: {"enabled": True} for rule in BEST_PRACTICE_RULES},
        "resultTypes": ["violations"],
    }
    result = driver.execute_async_script(
        """
        const [context, options, done] = arguments;
        axe.run(context === "document" ? document : context, options)
            .then(r => done(JSON.stringify(r.violations.map(v => ({
                id: v.id, help: v.help,
                targets: v.nodes.map(n => n.target.join(" ")),
                summaries: v.nodes.map(n => n.failureSummary || "")})))))
            .catch(e => done(JSON.stringify([{id: "axe-error", help: String(e), targets: []}])));
        """,
        context, options,
    )
    return json.loads(result)


def format_violations(violations: list[dict]) -> str:
    """One line per violation: rule id, the elements it found, and what the rule asks."""
    return "\n".join(f"  {v['id']}: {', '.join(v['targets'][:5])} — {v['help']}"
                     + "".join(f"\n      {s}" for s in v.get("summaries", [])[:3] if s)
                     for v in violations)

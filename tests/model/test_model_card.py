"""Model card from the artifacts (`python -m model card`) and the Model screen's fairness table."""
from __future__ import annotations

import json

import pytest

from model import config
from model.__main__ import main
from model.training.names import KIND_NAMES, model_in_words
from tests.rendered import rendered_text

SECTIONS = ("## Intended use and users", "## Data", "## Excluded attributes",
            "## Monotone constraints", "## Lending policy rules", "## Performance",
            "### By segment", "## Calibration", "## Fairness", "### Proxies of gender",
            "## Limits", "## Version")


def test_card_of_the_real_sample_build(artifacts_dir, tmp_path):
    out = tmp_path / "card.md"
    assert main(["card", "--artifacts", str(artifacts_dir), "--out", str(out)]) == 0
    card = out.read_text()
    positions = [card.index(section) for section in SECTIONS]
    assert positions == sorted(positions)
    metrics = json.loads((artifacts_dir / "metrics.json").read_text())
    manifest = json.loads((artifacts_dir / "manifest.json").read_text())
    fairness = json.loads((artifacts_dir / "fairness.json").read_text())
    chosen = metrics["candidates"][metrics["chosen"]]
    assert f"**{model_in_words(chosen['kind'], chosen['imbalance'], 'en')} (`{metrics['chosen']}`)**" in card
    # the manager's words, not only the id
    assert KIND_NAMES[chosen["kind"]]["en"] in card
    assert f"| {metrics['holdout']['auc']:.3f} |" in card
    assert manifest["files"]["model.joblib"][:12] in card and manifest["created_at"] in card
    for rule_id in ("debt_service_ratio", "credit_to_income", "minimum_age"):
        assert f"`{rule_id}`" in card
    women = fairness["attributes"]["gender"]["groups"][0]
    assert f"| Women | {women['count']} |" in card
    assert "Age is kept" in card and "`CODE_GENDER`" in card
    # The debt-service rule fires on 5.0 % of the real sample's training clients.
    assert "| refused | 0.35 | 5.0% |" in card


def test_card_needs_an_artifact_set(tmp_path, caplog):
    assert main(["card", "--artifacts", str(tmp_path), "--out", str(tmp_path / "c.md")]) == 2
    assert "no artifact set yet" in caplog.text and not (tmp_path / "c.md").exists()


def test_committed_card_is_a_generated_one():
    card = (config.PROJECT_ROOT / "docs" / "model-card.md").read_text()
    assert card.startswith("# Model card")
    for section in SECTIONS:
        assert section in card


FAIRNESS = {
    "threshold": 0.1, "n_clients": 100, "bootstrap": {"n_boot": 10, "ci": [0.025, 0.975], "seed": 1},
    "disparate_impact_limit": 0.8, "min_group": 30, "proxy_limit": 0.3,
    "attributes": {
        "gender": {"column": "CODE_GENDER", "reference_group": "M", "overall": {}, "groups": [
            {"group": "F", "count": 60, "default_rate": 0.05, "default_rate_ci": [0.02, 0.1],
             "mean_predicted": 0.06, "mean_predicted_ci": [0.05, 0.07], "refusal_rate": 0.5,
             "refusal_rate_ci": [0.4, 0.6], "recall": 0.8, "recall_ci": [0.5, 1.0],
             "false_refusal_rate": 0.45, "false_refusal_rate_ci": [0.3, 0.5], "approval_rate": 0.5,
             "enough_clients": True, "disparate_impact": 0.625, "flag": True},
            {"group": "M", "count": 40, "default_rate": 0.1, "default_rate_ci": [0.05, 0.2],
             "mean_predicted": 0.09, "mean_predicted_ci": [0.08, 0.1], "refusal_rate": 0.2,
             "refusal_rate_ci": [0.1, 0.3], "recall": 0.5, "recall_ci": [0.2, 0.8],
             "false_refusal_rate": 0.15, "false_refusal_rate_ci": [0.1, 0.2], "approval_rate": 0.8,
             "enough_clients": True, "disparate_impact": 1.0, "flag": False},
        ]},
        "age": {"column": "DAYS_BIRTH", "reference_group": None, "overall": {}, "groups": [
            {"group": "<25", "count": 0, "default_rate": None, "mean_predicted": None,
             "refusal_rate": None, "recall": None, "false_refusal_rate": None,
             "approval_rate": None, "enough_clients": False, "disparate_impact": None,
             "flag": False}]},
    },
    "proxies": [{"column": "OCCUPATION_TYPE", "cramers_v": 0.52, "used_by_model": True,
                 "decision": "remove", "categories": []}],
}


@pytest.fixture
def model_screen(tmp_path_factory):
    import sys

    if "app" not in sys.modules:
        folder = tmp_path_factory.mktemp("no-artifacts")
        (folder / "manifest.json").write_text("{}")
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("SCORING_ARTIFACTS", str(folder))
            import app  # noqa: F401
    from webapp.pages import model_card

    return model_card


@pytest.mark.parametrize("lang, expected", [
    ("fr", ["Par sexe", "Femmes", "Défaut observé", "0,62 (⚠ sous 0,8)", "1,00 (conforme)",
            "50,0\u202f% [40,0\u202f% ; 60,0\u202f%]", "Moins de 25 ans : aucun client",
            "OCCUPATION_TYPE : V de Cramér 0,52", "à retirer du modèle"]),
    ("en", ["By gender", "Women", "Observed default", "0.62 (⚠ below 0.8)", "1.00 (within limit)",
            "50.0% [40.0%, 60.0%]", "Under 25: no client", "to be removed from the model"]),
])
def test_model_screen_fairness_table_in_both_languages(model_screen, lang, expected):
    section = model_screen.fairness_block(FAIRNESS, lang)
    text = rendered_text(section)
    for piece in expected:
        assert piece in text, piece
    rows = model_screen.fairness_rows(FAIRNESS["attributes"]["gender"], 0.8, lang)
    assert [row[1] for row in rows] == ["60", "40"] and len(rows[0]) == len(model_screen.FAIRNESS_COLUMNS)


def test_model_screen_warns_when_gender_still_reaches_the_model(model_screen):
    assert "Gender is not a model input" in rendered_text(model_screen.fairness_block(FAIRNESS, "en"))
    still = {**FAIRNESS, "protected_features_in_model": ["CODE_GENDER_F", "CODE_GENDER_M"]}
    text = rendered_text(model_screen.fairness_block(still, "fr"))
    assert "ce modèle utilise encore 2 variable(s) tirée(s) du sexe" in text
    assert "n'est pas une variable du modèle" not in text


def test_model_screen_says_when_there_is_no_fairness_report(model_screen):
    assert "The fairness report was not computed" in rendered_text(model_screen.fairness_block(None, "en"))

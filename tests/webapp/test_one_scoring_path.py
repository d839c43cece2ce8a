"""One decision is one computation: nothing in webapp/ scores, explains, applies the lending
rules or searches a proposal itself (the set's `Scorer` does), and a client's file, API
answer or letter reads the client's row once and asks for one assessment."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from model import config

WEBAPP = config.PROJECT_ROOT / "webapp"
# What only model/ may call: the model, the builder, the explainer, the rules, the search.
MODEL_ONLY = {"predict_proba", "predict_margin", "predict_raw", "predict_raw_margin",
              "transform_application", "explain", "explain_rows", "find_counterfactuals",
              "score_edited_rows", "fill_missing_prudently", "fired_mask", "fired_in",
              "rule_values"}


def _calls(path: Path) -> list[tuple[int, str]]:
    """(line, name) of every call of a MODEL_ONLY function or method, and of `.transform` on
    anything named like a builder."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in MODEL_ONLY:
            found.append((node.lineno, name))
        if name == "transform" and isinstance(func, ast.Attribute) and "builder" in ast.unparse(func.value):
            found.append((node.lineno, "builder.transform"))
    return found


def test_the_scan_finds_what_it_forbids(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("p = state.model.predict_proba(x)\nf = state.builder.transform(t)\n"
                      "ok = frame.transform(len)\n")
    assert _calls(sample) == [(1, "predict_proba"), (2, "builder.transform")]


def test_nothing_in_webapp_scores_on_its_own():
    offenders = {str(path.relative_to(WEBAPP)): calls for path in sorted(WEBAPP.rglob("*.py"))
                 if (calls := _calls(path))}
    assert offenders == {}


@pytest.fixture()
def counted(served_state, monkeypatch):
    """Counts of feature-row reads, assessments made and stored assessments read while a
    request runs."""
    from model.scoring.stored import StoredAssessments
    from webapp import serving

    counts = {"rows": 0, "assessed": 0, "stored": 0}
    read, assess = serving.AppState.feature_row, type(served_state.scorer).assess_features
    lookup = StoredAssessments.assessment

    def stored(self, *args, **kwargs):
        counts["stored"] += 1
        return lookup(self, *args, **kwargs)

    def feature_row(self, client_id):
        counts["rows"] += 1
        return read(self, client_id)

    def assess_features(self, *args, **kwargs):
        counts["assessed"] += 1
        return assess(self, *args, **kwargs)

    monkeypatch.setattr(serving.AppState, "feature_row", feature_row)
    monkeypatch.setattr(type(served_state.scorer), "assess_features", assess_features)
    monkeypatch.setattr(StoredAssessments, "assessment", stored)
    return counts


def test_a_client_file_reads_its_stored_assessment_only(served_state, counted):
    import app  # noqa: F401  registers the Dash pages
    from webapp.pages import client as client_page

    client_id = int(served_state.clients.index[5])
    for lang in ("fr", "en"):
        counted.update(rows=0, assessed=0, stored=0)
        client_page.layout(client_id=str(client_id), lang=lang)  # the router's whole work
        # a stored client is read as the build assessed it: nothing assessed now, and no
        # feature row read (the file shows no table of concepts)
        assert counted == {"rows": 0, "assessed": 0, "stored": 1}


@pytest.mark.parametrize("path, rows", [("/api/clients/{id}", 1),  # its contributions
                                        ("/clients/{id}/letter.pdf?lang=fr", 0)])
def test_the_api_and_the_letter_read_the_stored_assessment(api, served_state, counted, path, rows):
    client_id = int(served_state.clients.index[5])
    assert api.get(path.format(id=client_id)).status_code == 200
    assert counted == {"rows": rows, "assessed": 0, "stored": 1}

"""Missing data never helps: an empty optional field is never better than the typical
known value (measured on the new-applicant form of the real-sample build)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from model.scoring.missing_fields import fill_missing_prudently
from tests.scoring_paths import new_application, score_applications

FORM = {"income": "150000", "credit": "500000", "annuity": "25000", "goods": "450000",
        "employment_years": "5", "age_years": "40", "children": "0", "family_members": "2",
        "contract": "Cash loans", "income_type": "Working", "education": "Higher education",
        "family_status": "Married", "own_car": "N", "own_realty": "Y",
        "ext_source_1": "0.5", "ext_source_2": "0.55", "ext_source_3": "0.5"}


def test_prudent_fill_by_hand():
    # p = 0.3 - 0.2 * A (A missing: 0.1, i.e. missing is "safer" than the median 0.5)
    def score(rows):
        a = rows["A"].to_numpy(dtype=float)
        return np.where(np.isnan(a), 0.1, 0.3 - 0.2 * a)

    app = pd.DataFrame({"A": [np.nan], "B": [1.0]})
    chosen, filled = fill_missing_prudently(score, app, {"A": 0.5}, fields=("A",))
    assert filled == ["A"] and chosen["A"].iloc[0] == 0.5  # 0.2 > 0.1: the median is scored
    # missing is already the less favourable value: left missing
    chosen, filled = fill_missing_prudently(lambda r: np.where(r["A"].isna(), 0.9, 0.2), app,
                                            {"A": 0.5}, fields=("A",))
    assert filled == [] and np.isnan(chosen["A"].iloc[0])
    known = pd.DataFrame({"A": [0.7], "B": [1.0]})
    assert fill_missing_prudently(score, known, {"A": 0.5}, fields=("A",))[1] == []


def test_empty_external_scores_never_lower_the_risk(app_state, monkeypatch):
    from webapp.services import clients
    from webapp.ui.fields import NEW_APPLICANT_FIELDS, validate_fields

    monkeypatch.setattr(clients, "get_state", lambda: app_state)
    typical = app_state.scorer.typical.iloc[0]
    for field, column in (("ext_source_1", "EXT_SOURCE_1"), ("ext_source_2", "EXT_SOURCE_2"),
                          ("ext_source_3", "EXT_SOURCE_3")):
        known_form = {**FORM, field: f"{typical[column]:.4f}"}
        empty_form = {**FORM, field: ""}
        known = clients.new_applicant_result(known_form, 5, "en")[0].score.probability
        empty = clients.new_applicant_result(empty_form, 5, "en")[0].score.probability
        assert empty >= known - 1e-6, (field, empty, known)
        # and never better than "not given" as the model sees it either
        clean, errors = validate_fields(empty_form, NEW_APPLICANT_FIELDS, "en")
        assert not errors
        raw = score_applications(app_state, new_application(app_state, clean))[0]
        assert empty >= raw - 1e-9


def test_new_applicant_assessment_scores_the_prudently_filled_application(app_state):
    """The scorer reuses the features of the candidate it chose while filling the empty
    fields (not rebuilt): its probability must equal a plain build of that application, and
    it says which fields it filled."""
    from webapp.ui.fields import NEW_APPLICANT_FIELDS, raw_row_from_fields, validate_fields

    typical = app_state.scorer.typical.iloc[0]
    for empty in ((), ("ext_source_1",), ("ext_source_1", "ext_source_2", "ext_source_3")):
        clean, errors = validate_fields({**FORM, **{f: "" for f in empty}}, NEW_APPLICANT_FIELDS, "fr")
        assert not errors
        assessment = app_state.scorer.assess_new(raw_row_from_fields(clean))
        chosen, filled = fill_missing_prudently(lambda rows: score_applications(app_state, rows),
                                                new_application(app_state, clean), typical)
        expected = score_applications(app_state, chosen)[0]
        assert assessment.probability == np.float64(expected)
        assert list(assessment.filled_fields) == filled
        assert assessment.client_id is None and not assessment.has_history


def test_a_batch_of_new_applicants_is_filled_and_scored_as_each_alone(app_state):
    """`assess_new_many` builds every applicant's candidates in one call: each applicant gets
    the fields, probability and reasons it gets alone, and the fill of `fill_missing_prudently`.
    The typical scores are set very low (0.02) so that filling is the less favourable choice
    for some applicants and the batch's "filled" branch runs."""
    from model.scoring import Scorer
    from webapp.ui.fields import NEW_APPLICANT_FIELDS, raw_row_from_fields, validate_fields

    served = app_state.scorer
    low = served.typical.copy()
    low[["EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3"]] = 0.02
    scorer = Scorer(served.model, served.builder, served.explainer, served.rules,
                    served.build_id, served.model_version, typical=low)
    forms = []
    for k, empty in enumerate(((), ("ext_source_1",), ("ext_source_2", "ext_source_3"),
                               ("ext_source_1", "ext_source_2", "ext_source_3"))):
        for income in ("40000", "150000", "600000"):
            forms.append({**FORM, **{f: "" for f in empty}, "income": income,
                          "credit": str(200000 + 300000 * k)})
    cleans = [validate_fields(form, NEW_APPLICANT_FIELDS, "en")[0] for form in forms]
    together = scorer.assess_new_many([raw_row_from_fields(c) for c in cleans])
    fills = []
    for clean, batch in zip(cleans, together):
        alone = scorer.assess_new(raw_row_from_fields(clean))
        assert batch.to_dict() == alone.to_dict() and batch.filled_fields == alone.filled_fields
        chosen, filled = fill_missing_prudently(lambda rows: score_applications(app_state, rows),
                                                new_application(app_state, clean), low.iloc[0])
        assert list(batch.filled_fields) == filled
        assert batch.probability == np.float64(score_applications(app_state, chosen)[0])
        fills.append(filled)
    assert any(fills) and not all(fills)  # both branches of the batch path ran

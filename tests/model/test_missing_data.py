"""Missing data never helps: an empty optional field is never better than the typical
known value (measured on the new-applicant form of the real-sample build)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from model.missing_fields import fill_missing_prudently

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
    typical = clients.typical_application(app_state).iloc[0]
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
        raw = clients.score_applications(app_state,
                                          clients.new_applicant_application(app_state, clean))[0]
        assert empty >= raw - 1e-9


def test_new_applicant_features_are_the_builders_own_and_cached_copies(app_state):
    """The chosen candidate's features are reused from the batch scored to fill the empty
    fields (not rebuilt) and kept for the request's next calls: both must equal a plain
    build of the chosen application, and a caller editing its copy changes nothing."""
    from webapp.ui.fields import NEW_APPLICANT_FIELDS, validate_fields
    from webapp.services import clients

    typical = clients.typical_application(app_state).iloc[0]
    for empty in ((), ("ext_source_1",), ("ext_source_1", "ext_source_2", "ext_source_3")):
        clean, errors = validate_fields({**FORM, **{f: "" for f in empty}}, NEW_APPLICANT_FIELDS, "fr")
        assert not errors
        features, app = clients.new_applicant_features(app_state, clean)
        chosen, _ = fill_missing_prudently(lambda rows: clients.score_applications(app_state, rows),
                                           clients.new_applicant_application(app_state, clean), typical)
        expected = app_state.builder.transform({"application": chosen})
        pd.testing.assert_frame_equal(features, expected)
        features.iloc[0, :] = -1.0  # the caller's copy
        again, _ = clients.new_applicant_features(app_state, clean)
        pd.testing.assert_frame_equal(again, expected)

"""The what-if's fast path (numbers only, recomputed in numpy over the stored row) gives the
features the builder gives the edited application: an advisor's "what if" must be scored
exactly as a new file with those figures would be."""
from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.scoring.applications import with_values
from model.scoring.missing_fields import prudent_candidates

EDITABLE = ("AMT_INCOME_TOTAL", "AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE", "DAYS_EMPLOYED",
            "CNT_CHILDREN")
values = st.one_of(st.none(), st.floats(min_value=1.0, max_value=5e6, allow_nan=False))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.integers(min_value=0, max_value=9_999),
       edits=st.dictionaries(st.sampled_from(EDITABLE), values, min_size=1, max_size=4))
def test_numbers_edited_give_the_builders_features(app_state, position, edits):
    client_id = int(app_state.clients.index[position % len(app_state.clients)])
    raw = {column: (np.nan if value is None else -value / 100 if column == "DAYS_EMPLOYED"
                    else float(round(value)) if column == "CNT_CHILDREN" else value)
           for column, value in edits.items()}
    if "CNT_CHILDREN" in raw and raw["CNT_CHILDREN"] == raw["CNT_CHILDREN"]:
        raw["CNT_CHILDREN"] = min(raw["CNT_CHILDREN"], 12.0)
    stored = app_state.feature_row(client_id)
    application = with_values(app_state.applications.loc[[client_id]], raw)
    fast = app_state.scorer.edited_features(stored, application, raw)
    slow = app_state.scorer.edited_features(stored, application)  # the builder's whole path
    pd.testing.assert_frame_equal(fast, slow)


def test_a_text_field_edited_takes_the_builders_path(app_state):
    client_id = int(app_state.clients.index[3])
    stored = app_state.feature_row(client_id)
    current = app_state.applications.at[client_id, "NAME_CONTRACT_TYPE"]
    other = "Revolving loans" if current != "Revolving loans" else "Cash loans"
    application = with_values(app_state.applications.loc[[client_id]],
                              {"NAME_CONTRACT_TYPE": other})
    edited = app_state.scorer.edited_features(stored, application, ["NAME_CONTRACT_TYPE"])
    assert not edited.equals(stored)  # the one-hot codes follow the edit
    pd.testing.assert_frame_equal(edited, app_state.scorer.edited_features(stored, application))


def test_a_new_applicants_prudent_candidates_are_the_builders_rows(app_state):
    """A new applicant's candidates (empty external scores left missing or at the median)
    differ from the application in numbers only: their features, recomputed over the
    application's row, are the builder's features of each candidate built whole."""
    scorer = app_state.scorer
    application = scorer.new_application({"AMT_INCOME_TOTAL": 90_000.0, "EXT_SOURCE_1": None,
                                          "EXT_SOURCE_2": None, "EXT_SOURCE_3": 0.4})
    rows, _, empty = prudent_candidates(application.reset_index(drop=True), scorer.typical.iloc[0])
    assert empty == ["EXT_SOURCE_1", "EXT_SOURCE_2"] and len(rows) == 4
    features = scorer.features(application.reset_index())
    fast = scorer.edited_features(features, rows, edited=empty)
    built = scorer.features(rows.assign(SK_ID_CURR=np.arange(1, len(rows) + 1)))
    assert fast["EXT_SOURCE_1"].isna().sum() == 2  # the candidates do differ
    np.testing.assert_array_equal(fast.to_numpy(), built.to_numpy())

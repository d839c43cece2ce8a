"""The what-if's fast path (numbers only, recomputed in numpy over the stored row) gives the
features the builder gives the edited application: an advisor's "what if" must be scored
exactly as a new file with those figures would be."""
from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.scoring.applications import with_values

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

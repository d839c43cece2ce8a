"""The app's scoring paths, as tests drive them below the screens: edited and new
applications through the loaded set's own `Scorer` (model/scoring), never a second copy."""
from __future__ import annotations

import numpy as np
import pandas as pd

from model.scoring.applications import with_values
from webapp.ui.fields import raw_row_from_fields


def new_application(state, clean: dict) -> pd.DataFrame:
    """The raw row of a new applicant (an SK_ID_CURR column) from validated form fields."""
    return state.scorer.new_application(raw_row_from_fields(clean)).reset_index()


def score_applications(state, apps: pd.DataFrame) -> np.ndarray:
    """Probabilities of raw application rows without history (distinct ids), through the
    set's builder and model as they stand (no prudent filling)."""
    apps = apps.assign(SK_ID_CURR=np.arange(1, len(apps) + 1))
    return np.asarray(state.model.predict_proba(state.scorer.features(apps)))


def whatif_features(state, client_id: int, clean: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A stored client's feature row with edited fields, as the what-if screen scores it,
    and the edited raw row."""
    edits = raw_row_from_fields(clean)
    app = with_values(state.applications.loc[[client_id]], edits)
    return state.scorer.edited_features(state.feature_row(client_id), app, edits), app


def model_directions(classifier) -> list[int]:
    """The direction vector a fitted classifier carries: LightGBM's constraints, or a blend's
    (its trees' constraints, which its sign-bounded linear part must share)."""
    trees = getattr(classifier, "trees_", classifier)
    vector = [int(d) for d in trees.get_params()["monotone_constraints"]]
    if hasattr(classifier, "linear_"):
        assert [int(d) for d in classifier.monotone] == vector
    return vector

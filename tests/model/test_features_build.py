"""Feature file, fitted builder and dictionary written by `build_feature_file`."""
from __future__ import annotations

import joblib
import numpy as np
import pandas as pd
from tests.features_tiny import tiny_tables

from model.features.build import build_feature_file, load_feature_file, sidecar_paths


def test_feature_file_round_trip(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for name, frame in tiny_tables().items():
        frame.to_parquet(data / f"{name}.parquet")
    out = build_feature_file(data, tmp_path / "out" / "features.parquet")
    builder_path, dictionary_path = sidecar_paths(out)
    assert builder_path.name == "features.builder.joblib"
    assert dictionary_path.name == "features.dictionary.csv"
    assert sorted(p.name for p in out.parent.iterdir()) == sorted(
        [out.name, builder_path.name, dictionary_path.name])  # no temporary file left

    raw = pd.read_parquet(out)
    assert raw.columns[-1] == "TARGET"
    features, target = load_feature_file(out)
    builder = joblib.load(builder_path)
    assert list(features.columns) == builder.feature_names_
    assert features.index.name == "SK_ID_CURR"
    assert features.index.tolist() == [1, 2, 3, 4]
    assert target.tolist()[:3] == [0.0, 1.0, 0.0] and np.isnan(target.loc[4])
    dictionary = pd.read_csv(dictionary_path)
    assert dictionary["feature"].tolist() == builder.feature_names_

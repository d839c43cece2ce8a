"""The plot columns and client rows read from `features.npy` by positioned reads equal what
the memory map holds, whatever the slice size (a last, shorter slice included)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.artifacts import ArtifactError
from model.matrix_file import pread_rows
from webapp import serving as state


@pytest.fixture()
def matrix(tmp_path):
    values = np.random.default_rng(3).normal(size=(23, 9)).astype(np.float32)
    np.save(tmp_path / "features.npy", values)
    return values, np.load(tmp_path / "features.npy", mmap_mode="r")


@pytest.mark.parametrize("slice_rows", [1, 5, 23, 100])
def test_plot_columns_from_the_file_equal_the_matrix_columns(matrix, monkeypatch, slice_rows):
    values, mapped = matrix
    monkeypatch.setattr(state, "PLOT_SLICE_ROWS", slice_rows)
    monkeypatch.setattr(state, "PLOT_FEATURES", 3)
    names = [f"f{i}" for i in range(9)]
    # as build writes shap_global.parquet: sorted by decreasing mean |SHAP| (model.explain.global_shap)
    shap_global = pd.DataFrame({"feature": ["f2", "f5", "f7", "f0"], "mean_abs_shap": [0.9, 0.5, 0.1, 0.05]})
    index = pd.Index(range(100, 123), name="SK_ID_CURR")
    frame = state._plot_columns(mapped, names, shap_global, index)
    assert list(frame.columns) == ["f2", "f5", "f7"]  # by decreasing mean |SHAP|
    np.testing.assert_array_equal(frame.to_numpy(), values[:, [2, 5, 7]])
    assert frame.index.equals(index)
    in_memory = state._plot_columns(values, names, shap_global, index)
    pd.testing.assert_frame_equal(frame, in_memory)


def test_read_row_reads_that_row(matrix):
    values, mapped = matrix
    for row in (0, 11, 22):
        np.testing.assert_array_equal(state._read_row(mapped, row), values[row : row + 1])


def test_a_truncated_matrix_file_is_named(tmp_path):
    values = np.ones((10, 4), dtype=np.float32)
    np.save(tmp_path / "features.npy", values)
    mapped = np.load(tmp_path / "features.npy", mmap_mode="r")
    out = np.empty((12, 4), dtype=np.float32)  # asks for more rows than the file holds
    with pytest.raises(ArtifactError, match="features.npy"):
        with open(mapped.filename, "rb", buffering=0) as handle:
            pread_rows(handle.fileno(), mapped, 0, out)

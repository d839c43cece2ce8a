"""The feature transform on Dask gives the pandas path's matrix, row for row."""
from __future__ import annotations

import numpy as np
import pytest

from model.engine import ONE_THREAD
from model.features.builder import FeatureBuilder
from model.features.distributed import partitions, transform_on_dask


@pytest.fixture(scope="module")
def fitted(sample_tables):
    return FeatureBuilder().fit(sample_tables)


def test_every_row_of_a_client_lands_in_one_partition(sample_tables):
    cut = list(partitions(sample_tables, 3))
    seen = {}
    for p, part in enumerate(cut):
        for name, rows in part.items():
            if "SK_ID_CURR" in rows.columns:
                for client in rows["SK_ID_CURR"].unique():
                    assert seen.setdefault(int(client), p) == p, (name, client)
    for name, frame in sample_tables.items():  # nothing lost, nothing repeated
        kept = sum(len(part.get(name, ())) for part in cut)
        assert kept == len(frame) or name == "bureau_balance", name
    bureau_ids = set(sample_tables["bureau"]["SK_ID_BUREAU"])
    owned = sample_tables["bureau_balance"]["SK_ID_BUREAU"].isin(bureau_ids).sum()
    assert sum(len(part["bureau_balance"]) for part in cut) == owned
    for part in cut:  # a credit's monthly rows are with the client of the credit
        assert part["bureau_balance"]["SK_ID_BUREAU"].isin(part["bureau"]["SK_ID_BUREAU"]).all()


def test_the_dask_matrix_is_the_pandas_matrix(fitted, sample_tables):
    from distributed import Client, LocalCluster

    expected = fitted.transform(sample_tables)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      env=ONE_THREAD, memory_limit="3GiB") as cluster, Client(cluster) as client:
        got = transform_on_dask(fitted, sample_tables, client, partition_clients=1500)
    assert got.index.equals(expected.index) and list(got.columns) == list(expected.columns)
    assert (got.dtypes == expected.dtypes).all()
    np.testing.assert_allclose(got.to_numpy(np.float32), expected.to_numpy(np.float32),
                               rtol=1e-6, atol=0, equal_nan=True)

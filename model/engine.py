"""The Dask cluster the batch jobs run on: a `LocalCluster` by default, or a real one.

`dask_client(scheduler)` yields a `distributed.Client`:
- `scheduler` given (`--scheduler tcp://host:8786`, or env `SCORING_DASK_SCHEDULER`): connect
  to that cluster (started with `dask scheduler` and `dask worker`, docs/benchmarks.md);
- otherwise a `LocalCluster` of worker processes (one per core, one thread each: the model
  and the feature aggregation are CPU bound and hold the GIL for most of their work), each
  with a memory limit (the machine's memory over the workers unless given) so the nanny
  spills, pauses and at last restarts a worker instead of letting the machine swap.
  Spilling is Dask's default (to disk from 70 % of the limit).

Worker processes run LightGBM and numpy on one thread (`OMP_NUM_THREADS=1` and friends):
two workers of two threads each on two cores would fight for them.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)

SCHEDULER_VARIABLE = "SCORING_DASK_SCHEDULER"
ONE_THREAD = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}


def scheduler_address(given: str | None = None) -> str | None:
    """The scheduler to use: the argument, else `SCORING_DASK_SCHEDULER`, else None (local)."""
    return given or os.environ.get(SCHEDULER_VARIABLE) or None


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else (os.cpu_count() or 1))


@contextmanager
def dask_client(scheduler: str | None = None, workers: int | None = None,
                memory_limit: str | int | None = None) -> Iterator["object"]:
    """A `distributed.Client` on the given cluster or on a new `LocalCluster` (closed after)."""
    from distributed import Client, LocalCluster

    # The scheduler's and nannies' INFO lines (workers joining and leaving) drown the job's own
    # progress; their warnings and errors still show.
    logging.getLogger("distributed").setLevel(max(logging.WARNING, logging.getLogger().level))
    address = scheduler_address(scheduler)
    if address is not None:
        log.info("connecting to the Dask scheduler at %s", address)
        with Client(address) as client:
            client.wait_for_workers(1, timeout=120)  # a cluster without workers would hang
            yield client
        return
    workers = workers or default_workers()
    if memory_limit is None:
        import psutil

        memory_limit = int(psutil.virtual_memory().total * 0.8 / workers)
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      memory_limit=memory_limit, dashboard_address=None, env=ONE_THREAD,
                      silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        log.info("local Dask cluster: %d worker processes x 1 thread, %s memory limit each",
                 workers, memory_limit if isinstance(memory_limit, str)
                 else f"{memory_limit / 2**30:.1f} GiB")
        yield client

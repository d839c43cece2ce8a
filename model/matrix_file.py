"""Rows of a memory-mapped `.npy` matrix read with positioned reads, not through the map.

A page fault on a memory map maps a whole page-cache folio (about 1 MB here), which then
counts in the process's resident memory: +1 MB for every new client looked at. A positioned
read of the row's few KB leaves the resident memory flat, and the pages stay in the OS's file
cache, shared by every worker process. Used for the feature matrix and the stored SHAP values.
"""
from __future__ import annotations

import os

import numpy as np

from model.artifacts import ArtifactError


def read_rows(matrix: np.ndarray, start: int, count: int = 1) -> np.ndarray:
    """Rows start..start+count of `matrix` (count x columns, the file's dtype)."""
    if getattr(matrix, "filename", None) is None or not matrix.flags.c_contiguous:
        return np.array(matrix[start:start + count])  # an in-memory array (tests)
    out = np.empty((count, matrix.shape[1]), dtype=matrix.dtype)
    with open(matrix.filename, "rb", buffering=0) as handle:
        pread_rows(handle.fileno(), matrix, start, out)
    return out


def pread_rows(fd: int, matrix: np.ndarray, start: int, out: np.ndarray) -> None:
    """Fill `out` (k x n, C order) with rows start..start+k of the matrix file behind `matrix`."""
    buffer = memoryview(out).cast("B")
    position = matrix.offset + start * matrix.shape[1] * matrix.dtype.itemsize
    done = 0
    while done < buffer.nbytes:
        read = os.preadv(fd, [buffer[done:]], position + done)
        if read == 0:
            raise ArtifactError(f"ends before row {start + out.shape[0]}", matrix.filename)
        done += read

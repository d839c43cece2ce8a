"""Draw columns from the frozen per-column statistics (`stats.json`).

Every column is drawn by inverse transform from one uniform number per row:
quantile interpolation for continuous columns, cumulative frequencies for text
and few-valued columns. Passing those uniforms in (instead of drawing them)
is how the generator plants signal while keeping each marginal intact
(a Gaussian copula) and keeps related columns together (`_AVG`/`_MODE`/`_MEDI`).
Text columns come back as integer codes into `dictionary(column)`, -1 for missing,
so that millions of rows never become Python strings.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

STATS_FILE = Path(__file__).with_name("stats.json")
ALL = "__all__"


@lru_cache(maxsize=1)
def load_stats() -> dict:
    """The statistics frozen by `derive_stats.py` (read once per process)."""
    return json.loads(STATS_FILE.read_text())


@dataclass(frozen=True)
class _Spec:
    na: float
    values: np.ndarray | None  # numeric values, or codes into the column dictionary
    cum: np.ndarray | None  # cumulative frequencies of `values`
    quantiles: np.ndarray | None
    round: bool

    def sample(self, u: np.ndarray, grid: np.ndarray) -> np.ndarray:
        if self.quantiles is not None:
            out = np.interp(u, grid, self.quantiles)
            return np.round(out) if self.round else out
        index = np.minimum(np.searchsorted(self.cum, u, side="right"), len(self.values) - 1)
        return self.values[index]


class Partition:
    """Rows of a chunk split by group label (e.g. contract status), in a fixed order."""

    def __init__(self, n: int, labels: np.ndarray | None = None) -> None:
        self.n = n
        if labels is None:
            self.parts: list[tuple[str, np.ndarray | slice]] = [(ALL, slice(None))]
            return
        names, inverse = np.unique(labels, return_inverse=True)
        order = np.argsort(inverse, kind="stable")
        bounds = np.cumsum(np.bincount(inverse, minlength=len(names)))
        self.parts = [(str(name), rows) for name, rows in zip(names, np.split(order, bounds[:-1]))]


class TableSampler:
    """Column draws for one table, conditional on the row's group when the table has groups."""

    def __init__(self, table: str, kinds: dict[str, str]) -> None:
        stats = load_stats()
        entry = stats["tables"][table]
        self.table, self.kinds = table, kinds
        self.grid = np.asarray(stats["quantile_grid"], dtype=float)
        self.group_rows: dict[str, int] = entry.get("group_rows", {})
        self._dictionaries: dict[str, list[str]] = {}
        self._specs: dict[str, dict[str, _Spec]] = {}
        for group, specs in entry["groups"].items():
            self._specs[group] = {column: self._compile(column, spec) for column, spec in specs.items()}

    def _compile(self, column: str, spec: dict) -> _Spec:
        values = cum = quantiles = None
        if "q" in spec:
            quantiles = np.asarray(spec["q"], dtype=float)
        else:
            p = np.asarray(spec["p"], dtype=float)
            cum = np.cumsum(p / p.sum())
            if self.kinds.get(column) == "str":
                dictionary = self._dictionaries.setdefault(column, [])
                for value in spec["values"]:
                    if value not in dictionary:
                        dictionary.append(value)
                values = np.asarray([dictionary.index(v) for v in spec["values"]], dtype=np.int32)
            else:
                values = np.asarray(spec["values"], dtype=float)
        return _Spec(spec["na"], values, cum, quantiles, bool(spec.get("round")))

    def dictionary(self, column: str) -> list[str]:
        """Text values of a column; codes returned by `draw` index this list."""
        return self._dictionaries[column]

    def code(self, column: str, value: str) -> int:
        return self._dictionaries[column].index(value)

    def share(self, column: str, value: str, group: str = ALL) -> float:
        """Frequency of one text value in the real sample (0 when never seen)."""
        spec = self.spec(column, group)
        p = np.diff(spec.cum, prepend=0.0)
        hits = spec.values == self.code(column, value)
        return float(p[hits].sum())

    def spec(self, column: str, group: str = ALL) -> _Spec:
        specs = self._specs.get(group, self._specs[ALL])
        return specs[column] if column in specs else self._specs[ALL][column]

    def missing_rate(self, column: str) -> float:
        return self.spec(column).na

    def bounds(self, column: str) -> tuple[float, float]:
        quantiles = self.spec(column).quantiles
        return float(quantiles[0]), float(quantiles[-1])

    def draw(self, column: str, rows: Partition | int, rng: np.random.Generator,
             u: np.ndarray | None = None, u_na: np.ndarray | None = None,
             missing: bool = True) -> np.ndarray:
        """One value per row: float64 (NaN = missing) or int32 codes (-1 = missing) for text."""
        rows = rows if isinstance(rows, Partition) else Partition(rows)
        text = self.kinds.get(column) == "str"
        out = np.empty(rows.n, dtype=np.int32 if text else np.float64)
        u = rng.random(rows.n) if u is None else u
        for group, index in rows.parts:
            spec = self.spec(column, group)
            out[index] = spec.sample(u[index], self.grid)
        if missing and self._any_missing(column, rows):
            u_na = rng.random(rows.n) if u_na is None else u_na
            for group, index in rows.parts:
                na = self.spec(column, group).na
                if na > 0:
                    part = out[index]
                    part[u_na[index] < na] = -1 if text else np.nan
                    out[index] = part
        return out

    def _any_missing(self, column: str, rows: Partition) -> bool:
        return any(self.spec(column, group).na > 0 for group, _ in rows.parts)

"""Who the client is compared with, and where the client stands in that group.

The Compare screen places one client among others. Which "others" matters for
the advisor's argument: all past clients, clients who look alike on the facts a
customer recognises (contract type, age band, income band), or the nearest
neighbours on the model's top features. Only training clients have a known
outcome (repaid / defaulted), so every group is drawn from them, and the client
is never counted in their own group.

Pure functions on arrays and DataFrames: the page callbacks call them with the
tables of `webapp.state.AppState`, the tests with hand-made frames.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from model import config
from webapp.state import UnknownClientError

GROUPS = ("all", "similar", "neighbours")
# Name of the predicted probability in the drift summary (model/drift/report.py).
PREDICTION_COLUMN = "PREDICTED_PROBABILITY"
# Age bands in years and income bands in currency units: fixed edges an advisor
# can say out loud ("clients aged 30 to 40 with an income of 100,000 to 150,000").
AGE_BAND_EDGES = (0.0, 30.0, 40.0, 50.0, 60.0, np.inf)
INCOME_BAND_EDGES = (0.0, 100_000.0, 150_000.0, 200_000.0, 300_000.0, np.inf)
DAYS_PER_YEAR = 365.25
NEIGHBOURS = 1000
NEIGHBOUR_FEATURES = 10
SCATTER_POINTS = 3000
# A feature with at most this many distinct values is drawn value by value.
DISCRETE_MAX_VALUES = 20
HISTOGRAM_BINS = 30
# The histogram spans these quantiles (plus the client's value) so that a few
# extreme values do not squeeze the whole distribution into one bar.
HISTOGRAM_RANGE = (0.005, 0.995)
# Values used to place that range: a regular stride sample is enough for 30 bars.
HISTOGRAM_SAMPLE = 50_000


@dataclass(frozen=True)
class Band:
    """One band of a fixed partition: its index and edges (NaN value -> index -1)."""

    index: int
    low: float
    high: float


def client_position(clients: pd.DataFrame, sk_id: int) -> int:
    """Position of the client in `clients`, or `UnknownClientError` naming the ID."""
    try:
        position = clients.index.get_loc(sk_id)
    except KeyError:
        raise UnknownClientError(sk_id) from None
    if not isinstance(position, (int, np.integer)):
        raise ValueError(f"client {sk_id} appears more than once in the client table")
    return int(position)


def band_codes(values: np.ndarray | pd.Series, edges: tuple[float, ...]) -> np.ndarray:
    """Band index of each value for bands [edges[i], edges[i+1]); -1 for NaN or out of range."""
    values = np.asarray(values, dtype=np.float64)
    codes = np.searchsorted(np.asarray(edges), values, side="right") - 1
    codes[(codes < 0) | (codes >= len(edges) - 1) | np.isnan(values)] = -1
    return codes


def band_of(value: float, edges: tuple[float, ...]) -> Band:
    """The band holding one value (index -1 with NaN edges when the value is unknown)."""
    code = int(band_codes(np.array([value]), edges)[0])
    if code < 0:
        return Band(-1, np.nan, np.nan)
    return Band(code, edges[code], edges[code + 1])


def age_years(days_birth: np.ndarray | pd.Series) -> np.ndarray:
    """Age in years from Kaggle's DAYS_BIRTH (negative days before the application)."""
    return -np.asarray(days_birth, dtype=np.float64) / DAYS_PER_YEAR


def reference_mask(clients: pd.DataFrame) -> np.ndarray:
    """Clients with a known outcome (training set, TARGET not missing)."""
    return clients["TARGET"].notna().to_numpy(copy=True)


def similar_mask(clients: pd.DataFrame, sk_id: int) -> np.ndarray:
    """Training clients with the same contract type, age band and income band as the client.

    An unknown fact of the client (missing value) is not used as a criterion
    rather than matching only clients for whom it is also missing.
    """
    position = client_position(clients, sk_id)
    mask = reference_mask(clients)
    contract = clients["NAME_CONTRACT_TYPE"]
    if pd.notna(contract.iloc[position]):
        mask &= (contract == contract.iloc[position]).fillna(False).to_numpy(bool)
    for codes in (
        band_codes(age_years(clients["DAYS_BIRTH"]), AGE_BAND_EDGES),
        band_codes(clients["AMT_INCOME_TOTAL"], INCOME_BAND_EDGES),
    ):
        if codes[position] >= 0:
            mask &= codes == codes[position]
    mask[position] = False
    return mask


def standardised(matrix: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Columns centred and scaled on the reference rows; missing values set to the mean (0).

    Constant or all-missing columns get a scale of 1 so they add nothing to distances.
    """
    matrix = np.asarray(matrix, dtype=np.float32)
    with np.errstate(all="ignore"):
        ref = matrix[reference]
        mean = np.nanmean(ref, axis=0) if len(ref) else np.zeros(matrix.shape[1])
        std = np.nanstd(ref, axis=0) if len(ref) else np.ones(matrix.shape[1])
    mean = np.nan_to_num(mean, nan=0.0)
    std = np.where(np.isfinite(std) & (std > 0), std, 1.0)
    scaled = (matrix - mean.astype(np.float32)) / std.astype(np.float32)
    return np.nan_to_num(scaled, nan=0.0, posinf=0.0, neginf=0.0)


@dataclass(frozen=True)
class NeighbourIndex:
    """Top features standardised once on the training clients: a neighbour query is then
    one pass over a small float32 matrix (about 10 ms for 356,000 clients x 10 features)."""

    scaled: np.ndarray  # float32, one row per client of `clients`
    reference: np.ndarray  # bool, clients with a known outcome


def neighbour_index(clients: pd.DataFrame, features: pd.DataFrame) -> NeighbourIndex:
    """Standardise `features` (indexed like `clients`) on the training clients."""
    if not features.index.equals(clients.index):
        features = features.reindex(clients.index)
    reference = reference_mask(clients)
    return NeighbourIndex(standardised(features.to_numpy(np.float32), reference), reference)


def nearest_mask(index: NeighbourIndex, position: int, k: int = NEIGHBOURS) -> np.ndarray:
    """The `k` training clients nearest to the client at `position` (Euclidean distance).

    The client is never its own neighbour; ties at the k-th distance go to the
    first clients in table order, so the answer does not depend on the sort.
    """
    candidates = index.reference.copy()
    candidates[position] = False
    distance = np.square(index.scaled - index.scaled[position]).sum(axis=1)
    distance[~candidates] = np.inf
    k = min(int(k), int(candidates.sum()))
    if k <= 0:
        return np.zeros(len(distance), dtype=bool)
    kth = np.partition(distance, k - 1)[k - 1]
    mask = distance < kth
    ties = np.flatnonzero(distance == kth)[: k - int(mask.sum())]
    mask[ties] = True
    return mask


def neighbour_mask(
    clients: pd.DataFrame,
    features: pd.DataFrame,
    sk_id: int,
    k: int = NEIGHBOURS,
    index: NeighbourIndex | None = None,
) -> np.ndarray:
    """The `k` training clients nearest to the client on `features` (standardised, Euclidean).

    `features` is indexed like `clients` (the app's `plot_columns`, restricted to
    the top features); pass a prebuilt `index` to skip the standardisation.
    """
    position = client_position(clients, sk_id)
    return nearest_mask(index or neighbour_index(clients, features), position, k)


def comparison_mask(
    clients: pd.DataFrame,
    sk_id: int,
    group: str,
    features: pd.DataFrame | None = None,
    k: int = NEIGHBOURS,
    index: NeighbourIndex | None = None,
) -> np.ndarray:
    """Boolean mask over `clients` of the comparison group `group` (one of `GROUPS`).

    Nearest neighbours are found on `features`, or on a prebuilt `index` of them.
    """
    if group == "all":
        mask = reference_mask(clients)
        mask[client_position(clients, sk_id)] = False
        return mask
    if group == "similar":
        return similar_mask(clients, sk_id)
    if group == "neighbours":
        if index is None and (features is None or features.shape[1] == 0):
            raise ValueError("nearest neighbours need the top feature columns (plot_columns)")
        return neighbour_mask(clients, features, sk_id, k, index)
    raise ValueError(f"unknown comparison group {group!r}; expected one of {GROUPS}")


def percentile_of(values: np.ndarray | pd.Series, value: float) -> float | None:
    """Percentile rank of `value` in `values`: share below plus half the ties, in percent.

    Missing values in the group are ignored; `None` when the value is missing or
    the group has no known value.
    """
    values = np.asarray(values, dtype=np.float64)
    values = values[~np.isnan(values)]
    if value is None or np.isnan(value) or len(values) == 0:
        return None
    below = np.count_nonzero(values < value)
    equal = np.count_nonzero(values == value)
    return 100.0 * (below + 0.5 * equal) / len(values)


def _stride_sample(values: np.ndarray, size: int) -> np.ndarray:
    """Every k-th value, at most about `size` of them: deterministic and cheap."""
    step = max(len(values) // size, 1)
    return values[::step]


def discrete_values(values: np.ndarray) -> np.ndarray | None:
    """The distinct values when there are at most DISCRETE_MAX_VALUES of them, else None.

    Looks at a stride sample first, so a continuous feature over 300,000
    clients is recognised without sorting them all.
    """
    candidates = np.unique(_stride_sample(values, 2000))
    if len(candidates) > DISCRETE_MAX_VALUES:
        return None
    if np.isin(values, candidates).all():
        return candidates
    distinct = np.unique(values)
    return distinct if len(distinct) <= DISCRETE_MAX_VALUES else None


def split_histogram(
    values: np.ndarray | pd.Series,
    target: np.ndarray | pd.Series,
    client_value: float | None = None,
    bins: int = HISTOGRAM_BINS,
    labels: tuple[str, str] = ("repaid", "defaulted"),
) -> pd.DataFrame:
    """Distribution of a feature in two classes: repaid (TARGET 0) and defaulted (TARGET 1).

    Returns one row per bar: `left`, `right`, `center` and one column per label
    (`repaid`, `defaulted` by default) holding the share (0-1) of that class
    falling in the bar, so the two classes are comparable although defaults are
    rare. The drift screen reuses it with classes reference (0) / current (1).
    A feature with few distinct values gets one bar per value (left == right ==
    value); otherwise `bins` equal bars over the central 99 % of values
    (quantiles of at most HISTOGRAM_SAMPLE values taken at a regular stride)
    widened to include the client, values outside that range being counted in
    the first or last bar. Computed on the server so the browser receives 30
    bars, not 300,000 points.
    """
    values = np.asarray(values, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    known = ~np.isnan(values) & ~np.isnan(target)
    values, target = values[known], target[known]
    if len(values) == 0:
        return pd.DataFrame(columns=["left", "right", "center", *labels], dtype=float)
    distinct = discrete_values(values)
    if distinct is not None:
        codes = np.searchsorted(distinct, values)
        left = right = distinct
    else:
        low, high = np.quantile(_stride_sample(values, HISTOGRAM_SAMPLE), HISTOGRAM_RANGE)
        if client_value is not None and np.isfinite(client_value):
            low, high = min(low, client_value), max(high, client_value)
        if high <= low:
            high = low + 1.0
        width = (high - low) / bins
        codes = np.clip(np.floor((values - low) / width), 0, bins - 1).astype(np.intp)
        left = low + width * np.arange(bins)
        right = left + width
    columns = {"left": left, "right": right, "center": (left + right) / 2}
    for name, outcome in zip(labels, (0.0, 1.0)):
        in_class = target == outcome
        counts = np.bincount(codes[in_class], minlength=len(left)).astype(np.float64)
        columns[name] = counts / max(int(in_class.sum()), 1)
    return pd.DataFrame(columns)


def scatter_sample(
    frame: pd.DataFrame,
    mask: np.ndarray,
    n: int = SCATTER_POINTS,
    seed: int = config.SEED,
) -> pd.DataFrame:
    """At most `n` rows of `frame` among `mask`, with every column known, drawn with a fixed seed.

    The same seed gives the same points for the same group, so the picture does
    not jump when the page is redrawn; the order of `frame` is kept.
    """
    usable = np.asarray(mask, dtype=bool) & frame.notna().all(axis=1).to_numpy()
    positions = np.flatnonzero(usable)
    if len(positions) > n:
        positions = np.sort(np.random.default_rng(seed).choice(positions, size=n, replace=False))
    return frame.iloc[positions]


def feature_label(dictionary: pd.DataFrame | None, feature: str, lang: str) -> str:
    """Plain-language name of a feature from the feature dictionary, else the column name.

    `dictionary` is indexed by feature with `description_fr` / `description_en`;
    a grouped name or a column missing from it falls back to its technical name.
    """
    column = f"description_{'en' if lang == 'en' else 'fr'}"
    if dictionary is not None and feature in dictionary.index and column in dictionary.columns:
        text = dictionary.at[feature, column]
        if isinstance(text, str) and text.strip():
            return text.strip()
    return str(feature)


def column_values(
    column: str,
    clients: pd.DataFrame,
    applications: pd.DataFrame | None,
    plot_columns: pd.DataFrame | None,
) -> pd.Series | None:
    """Values of `column` for every client, aligned with `clients`, from what the app holds.

    Looked up in the client table (display columns and the probability for the
    prediction), then the top-feature columns, then the raw application rows;
    None when the app does not hold that column.
    """
    if column == PREDICTION_COLUMN:
        return clients["probability"]
    for frame in (clients, plot_columns, applications):
        if frame is not None and column in frame.columns:
            series = frame[column]
            return series if frame.index.equals(clients.index) else series.reindex(clients.index)
    return None


def in_years(column: str, values: pd.Series) -> pd.Series:
    """Kaggle's DAYS_* columns (negative days before the application) as positive years.

    Positive values, including the 365243 "no value" code, become NaN. Other
    columns are returned unchanged. Advisors read "42 years", not "-15,340 days".
    """
    if not is_days_column(column):
        return values
    days = values.astype(np.float64)
    return (-days / DAYS_PER_YEAR).where(days <= 0)


def is_days_column(column: str) -> bool:
    return str(column).upper().startswith("DAYS_")


def display_values(column: str, clients: pd.DataFrame, plot_columns: pd.DataFrame | None,
                   applications: pd.DataFrame | None = None) -> pd.Series:
    """`column_values` with DAYS_* in years; `KeyError` naming the column when not held."""
    values = column_values(column, clients, applications, plot_columns)
    if values is None:
        raise KeyError(f"feature {column!r} is not among the columns the app holds")
    return in_years(column, values)


@dataclass(frozen=True)
class Comparison:
    """Where one client stands on one feature within a comparison group."""

    feature: str
    group: str
    client_value: float | None
    count: int  # clients of the group with a known value and outcome
    percentile: float | None  # among the whole group
    repaid_percentile: float | None  # among the group's clients who repaid
    defaulted_percentile: float | None
    histogram: pd.DataFrame  # from split_histogram
    mask: np.ndarray  # the group, over `clients`


def compare_client(
    clients: pd.DataFrame,
    plot_columns: pd.DataFrame,
    sk_id: int,
    feature: str,
    group: str,
    applications: pd.DataFrame | None = None,
    mask: np.ndarray | None = None,
) -> Comparison:
    """Everything the Compare screen shows for one feature: group, percentiles, histogram.

    `mask` may be passed when the group was already computed for this client.
    DAYS_* features are compared in years.
    """
    position = client_position(clients, sk_id)
    values = display_values(feature, clients, plot_columns, applications).to_numpy(np.float64)
    if mask is None:
        mask = comparison_mask(clients, sk_id, group, plot_columns.iloc[:, :NEIGHBOUR_FEATURES])
    target = clients["TARGET"].to_numpy(np.float64)
    client_value = float(values[position])
    client_value = client_value if np.isfinite(client_value) else None
    group_values, group_target = values[mask], target[mask]
    known = ~np.isnan(group_values)
    percentile = class_percentile = None
    if client_value is not None:
        percentile = percentile_of(group_values, client_value)
        class_percentile = tuple(percentile_of(group_values[group_target == outcome], client_value)
                                 for outcome in (0.0, 1.0))
    return Comparison(
        feature=feature, group=group, client_value=client_value, count=int(known.sum()),
        percentile=percentile,
        repaid_percentile=class_percentile[0] if class_percentile else None,
        defaulted_percentile=class_percentile[1] if class_percentile else None,
        histogram=split_histogram(group_values, group_target, client_value),
        mask=mask,
    )


def scatter_points(
    clients: pd.DataFrame,
    plot_columns: pd.DataFrame,
    mask: np.ndarray,
    x: str,
    y: str,
    applications: pd.DataFrame | None = None,
    n: int = SCATTER_POINTS,
    seed: int = config.SEED,
) -> pd.DataFrame:
    """Sampled (x, y, probability) of the group for the scatter; DAYS_* in years.

    Columns are named `x`, `y` and `probability` (x == y is allowed).
    """
    frame = pd.DataFrame({
        axis: display_values(name, clients, plot_columns, applications).to_numpy(np.float64)
        for axis, name in (("x", x), ("y", y))
    }, index=clients.index)
    frame["probability"] = clients["probability"].to_numpy(np.float64)
    return scatter_sample(frame, mask, n=n, seed=seed)


def client_point(clients: pd.DataFrame, plot_columns: pd.DataFrame, sk_id: int, x: str, y: str,
                 applications: pd.DataFrame | None = None) -> tuple[float, float, float] | None:
    """(x, y, probability) of the client, None when either value is unknown."""
    position = client_position(clients, sk_id)
    point = []
    for name in (x, y):
        value = float(display_values(name, clients, plot_columns, applications).iloc[position])
        if not np.isfinite(value):
            return None
        point.append(value)
    return point[0], point[1], float(clients["probability"].iloc[position])

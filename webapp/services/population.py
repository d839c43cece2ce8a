"""Who the client is compared with, and where the client stands in that group.

The Compare screen places one client among others. Which "others" matters for
the advisor's argument: all past clients, clients who look alike on the facts a
customer recognises (contract type, age band, income band), or the nearest
neighbours on the model's top features. Only training clients have a known
outcome (repaid / defaulted), so every group is drawn from them, and the client
is never counted in their own group.

The first part is pure functions on arrays and DataFrames (the tests call them with
hand-made frames); the last part, "what the Compare screen calls", is the screen's one
way into the loaded artifacts: it takes the browser's ids and choices, reads
`webapp.serving.get_state()` and returns plain dataclasses the page lays out.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from model import config
from model.features.concepts import BY_KEY
from webapp.ui.fields import choice_label
from webapp.i18n import translate
from webapp.services.clients import require_client
from webapp.service_errors import ServiceError
from webapp.serving import AppState, UnknownClientError, derived_value, get_state
from webapp.http.validation import shorten

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


def in_years(values: pd.Series) -> pd.Series:
    """Kaggle's DAYS_* values (negative days before the application) as positive years.

    Positive values, including the 365243 "no value" code, become NaN. Advisors read
    "42 years", not "-15,340 days". Which columns are converted is the dictionary's
    business (`years_features`), not the column name's: DAYS_EMPLOYED_ANOM is a flag.
    """
    days = values.astype(np.float64)
    return (-days / DAYS_PER_YEAR).where(days <= 0)


def years_features(dictionary: pd.DataFrame | None) -> frozenset[str]:
    """Features whose natural unit is years (the builder's `unit_of`, a dictionary column)."""
    if dictionary is None or "unit" not in dictionary.columns:
        return frozenset()
    return frozenset(dictionary.index[dictionary["unit"] == "years"].astype(str))


def display_values(column: str, clients: pd.DataFrame, plot_columns: pd.DataFrame | None,
                   applications: pd.DataFrame | None = None, years: bool = False) -> pd.Series:
    """`column_values`, in years when `years`; `KeyError` naming the column when not held."""
    values = column_values(column, clients, applications, plot_columns)
    if values is None:
        raise KeyError(f"feature {column!r} is not among the columns the app holds")
    return in_years(values) if years else values


# --- axis scales --------------------------------------------------------------------------------

# "clipped" first: the default, so that a few extreme debts do not squeeze everyone else
# into one bar; "linear" shows the full range, "log" spreads skewed amounts.
SCALES = ("clipped", "linear", "log")
# The clipped axis spans these quantiles of the group (widened to the client's value).
CLIP_RANGE = (0.01, 0.99)


@dataclass(frozen=True)
class AxisRange:
    """What one axis shows: its Plotly type and the values it keeps (None = no bound)."""

    scale: str  # the scale asked for (one of SCALES)
    kind: str  # Plotly axis type: "linear" or "log"
    low: float | None = None
    high: float | None = None

    def keeps(self, values: np.ndarray) -> np.ndarray:
        """Which known values are drawn on this axis (False for NaN and off-axis values)."""
        values = np.asarray(values, dtype=np.float64)
        kept = np.isfinite(values)
        if self.kind == "log":
            kept &= values > 0
        if self.low is not None:
            kept &= values >= self.low
        if self.high is not None:
            kept &= values <= self.high
        return kept


def axis_range(values: np.ndarray, scale: str, client_value: float | None = None) -> AxisRange:
    """The axis for `values` (the group's, NaN allowed) on scale `scale` (one of SCALES).

    A feature with few distinct values (a flag, a count) is always drawn whole and
    linear: its 99th percentile may be the last category's value. The clipped
    range is widened to the client's value so the client is never off the axis.
    """
    if scale not in SCALES:
        raise ValueError(f"unknown axis scale {scale!r}; expected one of {SCALES}")
    values = np.asarray(values, dtype=np.float64)
    known = values[np.isfinite(values)]
    if len(known) == 0 or discrete_values(known) is not None or scale == "linear":
        return AxisRange(scale, "linear")
    if scale == "log":
        return AxisRange(scale, "log")
    low, high = (float(q) for q in np.quantile(known, CLIP_RANGE))
    if client_value is not None and np.isfinite(client_value):
        low, high = min(low, client_value), max(high, client_value)
    return AxisRange(scale, "linear", low, high)


def scaled_histogram(
    values: np.ndarray | pd.Series,
    target: np.ndarray | pd.Series,
    axis: AxisRange,
    client_value: float | None = None,
    bins: int = HISTOGRAM_BINS,
) -> tuple[pd.DataFrame, int]:
    """`split_histogram` on the axis `axis`, and how many known values fall off that axis.

    Linear and clipped axes get `bins` equal bars between the lowest and highest
    value kept; a log axis gets bars of equal width in log space (geometric edges,
    `center` their geometric mean). Shares stay relative to every known value of
    the class, off-axis ones included, so the bars never overstate a class.
    """
    values = np.asarray(values, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    known = ~np.isnan(values) & ~np.isnan(target)
    values, target = values[known], target[known]
    if len(values) and discrete_values(values) is not None:  # one bar per value, all shown
        return split_histogram(values, target, client_value, bins), 0
    kept = axis.keeps(values)
    off_axis = int((~kept).sum())
    shown, shown_target = values[kept], target[kept]
    if len(shown) == 0:
        return pd.DataFrame(columns=["left", "right", "center", "repaid", "defaulted"], dtype=float), off_axis
    low, high = float(shown.min()), float(shown.max())
    if client_value is not None and np.isfinite(client_value) and axis.keeps([client_value])[0]:
        low, high = min(low, client_value), max(high, client_value)
    if axis.kind == "log":
        high = high if high > low else low * 10.0
        edges = np.geomspace(low, high, bins + 1)
        centers = np.sqrt(edges[:-1] * edges[1:])
    else:
        high = high if high > low else low + 1.0
        edges = np.linspace(low, high, bins + 1)
        centers = (edges[:-1] + edges[1:]) / 2
    codes = np.clip(np.searchsorted(edges, shown, side="right") - 1, 0, bins - 1)
    columns = {"left": edges[:-1], "right": edges[1:], "center": centers}
    for name, outcome in (("repaid", 0.0), ("defaulted", 1.0)):
        counts = np.bincount(codes[shown_target == outcome], minlength=bins).astype(np.float64)
        columns[name] = counts / max(int((target == outcome).sum()), 1)
    return pd.DataFrame(columns), off_axis


# --- the client's rank: one computation for every sentence ---------------------------------------

@dataclass(frozen=True)
class Rank:
    """Where the client's value stands in the group: the one percentile every text states."""

    value: float | None  # the client's value (None when unknown)
    percentile: float | None  # `percentile_of` the group's known values
    count: int  # clients of the group with a known value


def client_rank(values: np.ndarray, mask: np.ndarray, position: int) -> Rank:
    """The client's (at `position`) percentile among the group `mask` on `values`.

    The histogram's sentence and the scatter's caption both call this with the same
    group and values, so they cannot say "31st percentile of 4,999" and "30th of 4,997":
    the rank is never taken among the scatter's sampled points.
    """
    values = np.asarray(values, dtype=np.float64)
    group = values[np.asarray(mask, dtype=bool)]
    value = float(values[position])
    value = value if np.isfinite(value) else None
    count = int(np.isfinite(group).sum())
    return Rank(value, None if value is None else percentile_of(group, value), count)


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
    histogram: pd.DataFrame  # from scaled_histogram
    mask: np.ndarray  # the group, over `clients`
    axis: AxisRange = AxisRange("linear", "linear")
    off_axis: int = 0  # known values of the group the axis does not show


def compare_client(
    clients: pd.DataFrame,
    plot_columns: pd.DataFrame,
    sk_id: int,
    feature: str,
    group: str,
    applications: pd.DataFrame | None = None,
    mask: np.ndarray | None = None,
    years: bool = False,
    scale: str = "linear",
) -> Comparison:
    """Everything the Compare screen shows for one feature: group, percentiles, histogram.

    `mask` may be passed when the group was already computed for this client;
    `years` compares a DAYS_* feature in years; `scale` is one of SCALES.
    """
    position = client_position(clients, sk_id)
    values = display_values(feature, clients, plot_columns, applications, years).to_numpy(np.float64)
    if mask is None:
        mask = comparison_mask(clients, sk_id, group, plot_columns.iloc[:, :NEIGHBOUR_FEATURES])
    rank = client_rank(values, mask, position)
    target = clients["TARGET"].to_numpy(np.float64)
    group_values, group_target = values[mask], target[mask]
    class_percentile = (None, None)
    if rank.value is not None:
        class_percentile = tuple(percentile_of(group_values[group_target == outcome], rank.value)
                                 for outcome in (0.0, 1.0))
    axis = axis_range(group_values, scale, rank.value)
    histogram, off_axis = scaled_histogram(group_values, group_target, axis, rank.value)
    return Comparison(
        feature=feature, group=group, client_value=rank.value, count=rank.count,
        percentile=rank.percentile, repaid_percentile=class_percentile[0],
        defaulted_percentile=class_percentile[1], histogram=histogram, mask=mask,
        axis=axis, off_axis=off_axis,
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
    years: frozenset[str] = frozenset(),
) -> pd.DataFrame:
    """Sampled (x, y, probability) of the group for the scatter; `years` features in years.

    Columns are named `x`, `y` and `probability` (x == y is allowed).
    """
    frame = pd.DataFrame({
        axis: display_values(name, clients, plot_columns, applications, name in years)
        .to_numpy(np.float64)
        for axis, name in (("x", x), ("y", y))
    }, index=clients.index)
    frame["probability"] = clients["probability"].to_numpy(np.float64)
    return scatter_sample(frame, mask, n=n, seed=seed)


def client_point(clients: pd.DataFrame, plot_columns: pd.DataFrame, sk_id: int, x: str, y: str,
                 applications: pd.DataFrame | None = None,
                 years: frozenset[str] = frozenset()) -> tuple[float, float, float] | None:
    """(x, y, probability) of the client, None when either value is unknown."""
    position = client_position(clients, sk_id)
    point = []
    for name in (x, y):
        value = float(display_values(name, clients, plot_columns, applications,
                                     name in years).iloc[position])
        if not np.isfinite(value):
            return None
        point.append(value)
    return point[0], point[1], float(clients["probability"].iloc[position])


# --- what the Compare screen calls ---------------------------------------------------------------

TEXTS: dict[str, dict[str, str]] = {
    "fr": {"years": "{label} (années)"},
    "en": {"years": "{label} (years)"},
}
# Names of the application's day counts once shown in years: labels.csv says "(in days,
# negative)", which is true of the raw column, not of the axis. Age is named by its
# concept (model/features/concepts.py: key feature DAYS_BIRTH, unit years).
YEARS_NAMES = {  # underlying column -> (French, English)
    "DAYS_EMPLOYED": ("Ancienneté dans l'emploi actuel", "Time in current job"),
    "DAYS_REGISTRATION": ("Ancienneté de l'adresse déclarée", "Time since the address was registered"),
    "DAYS_ID_PUBLISH": ("Ancienneté de la pièce d'identité", "Age of the identity document"),
}


def _entry(dictionary: pd.DataFrame | None, feature: str, column: str) -> str:
    if dictionary is None or feature not in dictionary.index or column not in dictionary.columns:
        return ""
    value = dictionary.at[feature, column]
    return value if isinstance(value, str) else ""


def axis_label(dictionary: pd.DataFrame | None, feature: str, lang: str) -> str:
    """The feature's name on an axis and in the variable list: "Âge (années)", "Revenu total".

    A feature shown in years is named from the builder's structure (its concept, or its
    underlying column), never by cutting "(en jours, négatif)" out of the generated text.
    """
    if feature not in years_features(dictionary):
        return feature_label(dictionary, feature, lang)
    english = lang == "en"
    concept = BY_KEY.get(_entry(dictionary, feature, "concept"))
    column = _entry(dictionary, feature, "column") or feature
    if concept is not None and concept.key_feature == feature and concept.unit == "years":
        name = concept.label_en if english else concept.label_fr
    elif column in YEARS_NAMES:
        name = YEARS_NAMES[column][english]
    else:
        name = feature
    return translate(TEXTS, "years", lang, label=name)


def is_protected(dictionary: pd.DataFrame | None, feature: str) -> bool:
    """True for a protected attribute (model.config.PROTECTED_ATTRIBUTES) or a feature made
    from one (its underlying column, or a one-hot name such as CODE_GENDER_M)."""
    names = {str(feature), _entry(dictionary, feature, "column")} - {""}
    return any(name == protected or name.startswith(protected + "_")
               for name in names for protected in config.PROTECTED_ATTRIBUTES)


def comparable_features(dictionary: pd.DataFrame | None, plot_columns: pd.DataFrame,
                        clients: pd.DataFrame) -> list[str]:
    """The features an advisor may compare on: the model's top features (importance order),
    then the client-table facts the dictionary describes (age, income, credit...), numeric,
    never a protected attribute (the client table keeps CODE_GENDER for the fairness report)."""
    names = [str(c) for c in plot_columns.columns]
    described = set(dictionary.index) if dictionary is not None else set()
    names += [str(c) for c in clients.columns
              if c in described and str(c) not in names and pd.api.types.is_numeric_dtype(clients[c])]
    return [name for name in names if not is_protected(dictionary, name)]


@dataclass(frozen=True)
class FeatureChoice:
    """One entry of the variable lists: the column and its plain-language axis label."""

    value: str
    label: str


@derived_value("compare_choices")
def _choices(state: AppState) -> dict[str, tuple[FeatureChoice, ...]]:
    """The variable list in both languages, once per artifact set (about 45 entries)."""
    names = comparable_features(state.dictionary, state.plot_columns, state.clients)
    return {lang: tuple(FeatureChoice(name, axis_label(state.dictionary, name, lang)) for name in names)
            for lang in ("fr", "en")}


@derived_value("neighbour_index")
def _neighbour_index(state: AppState) -> NeighbourIndex:
    """The top features standardised once per artifact set, when it is loaded (about 0.2 s at
    full scale), so a "nearest neighbours" request is one pass over a small matrix."""
    return neighbour_index(state.clients, state.plot_columns.iloc[:, :NEIGHBOUR_FEATURES])


@dataclass(frozen=True)
class CompareSetup:
    """What the Compare page needs before drawing: the checked client and the variable list."""

    client_id: int
    choices: tuple[FeatureChoice, ...]

    @property
    def first(self) -> str | None:
        return self.choices[0].value if self.choices else None

    @property
    def second(self) -> str | None:
        return self.choices[min(1, len(self.choices) - 1)].value if self.choices else None


def _client(raw_id: object) -> tuple[AppState, int]:
    state = get_state()
    return state, require_client(state, raw_id)


def compare_setup(client_id: object, lang: str) -> CompareSetup:
    """The client (or a `ServiceError`) and the variable list in `lang`."""
    state, sk_id = _client(client_id)
    return CompareSetup(sk_id, _choices(state)["en" if lang == "en" else "fr"])


def _feature(state: AppState, feature: object, lang: str) -> FeatureChoice:
    """The chosen feature if it is offered; a `ServiceError` for anything else (a protected
    attribute or an unknown name sent by a forged request included)."""
    for entry in _choices(state)["en" if lang == "en" else "fr"]:
        if isinstance(feature, str) and entry.value == feature:
            return entry
    raise ServiceError("unknown_feature", feature=shorten(feature))


def _group_mask(state: AppState, sk_id: int, group: str) -> np.ndarray:
    index = _neighbour_index(state) if group == "neighbours" else None
    return comparison_mask(state.clients, sk_id, group, index=index)


@dataclass(frozen=True)
class GroupFacts:
    """Who the client is compared with: what `figures.population.group_sentence` says."""

    group: str
    count: int
    contract: str | None
    age: Band
    income: Band
    n_features: int


def _group_facts(state: AppState, sk_id: int, group: str, mask: np.ndarray, lang: str) -> GroupFacts:
    row = state.clients.loc[sk_id]
    contract = row.get("NAME_CONTRACT_TYPE")
    return GroupFacts(
        group=group, count=int(mask.sum()),
        contract=choice_label(contract, lang) if isinstance(contract, str) else None,
        age=band_of(float(age_years([row.get("DAYS_BIRTH")])[0]), AGE_BAND_EDGES),
        income=band_of(float(row.get("AMT_INCOME_TOTAL")), INCOME_BAND_EDGES),
        n_features=min(NEIGHBOUR_FEATURES, state.plot_columns.shape[1]),
    )


@dataclass(frozen=True)
class DistributionView:
    """The client on one feature's distribution, ready to lay out."""

    client_id: int
    label: str
    group: GroupFacts
    comparison: Comparison


def distribution_view(client_id: object, feature: object, group: str, scale: str,
                      lang: str) -> DistributionView:
    """Group, rank (`client_rank`), class percentiles and histogram of `feature` on `scale`."""
    state, sk_id = _client(client_id)
    choice = _feature(state, feature, lang)
    mask = _group_mask(state, sk_id, group)
    result = compare_client(state.clients, state.plot_columns, sk_id, choice.value, group,
                            state.applications, mask=mask,
                            years=choice.value in years_features(state.dictionary), scale=scale)
    return DistributionView(sk_id, choice.label, _group_facts(state, sk_id, group, mask, lang), result)


@dataclass(frozen=True)
class ScatterView:
    """Sampled clients of the group on two features, the client's point and ranks."""

    client_id: int
    labels: tuple[str, str]
    sample: pd.DataFrame  # columns x, y, probability: the points drawn (on both axes)
    point: tuple[float, float, float] | None  # the client, None when a value is unknown
    ranks: tuple[Rank, Rank]  # `client_rank` on x and on y, among the whole group
    axes: tuple[AxisRange, AxisRange]
    off_axis: int  # sampled points outside either axis (not drawn)
    threshold: float


def scatter_view(client_id: object, x: object, y: object, group: str, scale: str,
                 lang: str) -> ScatterView:
    """The scatter of `x` against `y` within the group, both axes on `scale`."""
    state, sk_id = _client(client_id)
    chosen = (_feature(state, x, lang), _feature(state, y, lang))
    years = years_features(state.dictionary)
    position = client_position(state.clients, sk_id)
    mask = _group_mask(state, sk_id, group)
    values = [display_values(c.value, state.clients, state.plot_columns, state.applications,
                             c.value in years).to_numpy(np.float64) for c in chosen]
    ranks = tuple(client_rank(v, mask, position) for v in values)
    axes = tuple(axis_range(v[mask], scale, rank.value) for v, rank in zip(values, ranks))
    sample = scatter_points(state.clients, state.plot_columns, mask, chosen[0].value,
                            chosen[1].value, state.applications, n=SCATTER_POINTS, years=years)
    drawn = axes[0].keeps(sample["x"].to_numpy()) & axes[1].keeps(sample["y"].to_numpy())
    point = client_point(state.clients, state.plot_columns, sk_id, chosen[0].value,
                         chosen[1].value, state.applications, years=years)
    return ScatterView(sk_id, (chosen[0].label, chosen[1].label), sample[drawn], point, ranks,
                       axes, int((~drawn).sum()), float(state.model.threshold_))

"""What the Drift tab shows over time: one row per monitored period (issue 22).

Source: the `monitoring_periods` table written by `python -m model monitor --database` (one
compact row per period), with the training-vs-test comparison of the served artifact set as
the first period (the score's PSI between its training clients, out-of-fold, and its test
clients, on the same reference bins as every later period). The period's Evidently page is
served from `config.monitoring_dir()/reports/` (`/reports/monitoring/<file>`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from model import config
from model.monitoring.periods import SCORE, status_of
from model.monitoring.psi import PopulationStability, band
from webapp.db import DatabaseError
from webapp.figures import drift_periods as fig
from webapp.formatting import format_date, format_number, format_percent
from webapp.i18n import translate
from webapp.services import clients
from webapp.services.drift import column_label
from webapp.serving import AppState, derived_value

REFERENCE_KEY = "reference"
REPORT_PREFIX = "/reports/monitoring/"
REPORT_FILE = re.compile(r"^[0-9A-Za-z_-]{1,60}\.html$")
ICONS = {"stable": "✓", "watch": "◔", "drift": "⚠"}

TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "status_stable": "Stable", "status_watch": "À surveiller", "status_drift": "Dérive",
        "reference": "Entraînement vs test",
        "immature": "Pas encore mûre : issues connues le {day}",
        "no_outcomes": "Issues non fournies",
        "backtest": "AUC {auc} · Gini {gini} · KS {ks} · calibrage : {calibration}",
        "passed": "réussi", "failed": "échoué",
        "psi_input": "{label} : {value}",
        "alert": "{period} — {label} ({column}) : PSI {value}, {band}",
        "alert_score": "{period} — score (probabilité prédite) : PSI {value}, {band}",
        "bands": ("PSI (indice de stabilité de population) comparé aux clients d'entraînement, "
                  "sur les déciles de l'entraînement. Seuils {watch} (à surveiller) et {drift} "
                  "(dérive) : des règles empiriques de la pratique du crédit, pas des tests "
                  "statistiques."),
        "none": "—",
    },
    "en": {
        "status_stable": "Stable", "status_watch": "Watch", "status_drift": "Drift",
        "reference": "Training vs test",
        "immature": "Not matured yet: outcomes known on {day}",
        "no_outcomes": "No outcomes given",
        "backtest": "AUC {auc} · Gini {gini} · KS {ks} · calibration: {calibration}",
        "passed": "passed", "failed": "failed",
        "psi_input": "{label}: {value}",
        "alert": "{period} — {label} ({column}): PSI {value}, {band}",
        "alert_score": "{period} — score (predicted probability): PSI {value}, {band}",
        "bands": ("PSI (population stability index) against the training clients, on the "
                  "training deciles. Bands {watch} (watch) and {drift} (drift): rules of thumb "
                  "of credit-scoring practice, not statistical tests."),
        "none": "—",
    },
}


def _t(key: str, lang: str, **values: object) -> str:
    return translate(TEXTS, key, lang, **values)


def status_text(level: str, lang: str) -> str:
    """Icon and word, never colour alone: "⚠ Dérive"."""
    return f"{ICONS.get(level, '')} {_t(f'status_{level}', lang)}".strip()


@dataclass(frozen=True)
class PeriodRow:
    """One row of the trend table, every value already in words."""
    key: str
    period: str
    clients: str
    status: str            # level: stable | watch | drift
    status_text: str
    score_psi: str
    top_input: str
    approval: str
    override: str
    no_history: str
    backtest: str
    report_url: str | None


@dataclass(frozen=True)
class MonitoringScreen:
    rows: list[PeriodRow]
    alerts: list[PeriodAlerts]
    figure: dict
    text_alternative: str
    bands: str
    matured: list[dict[str, str]]   # options of the back-test select: matured periods


def stored_periods() -> list[dict[str, Any]]:
    """The monitored periods of the app's database, oldest first ([] when unreadable)."""
    from webapp.db.monitoring import stored_periods as read

    try:
        return read()
    except DatabaseError:
        return []


def _side(state: Any, rows: np.ndarray, top: list[str]) -> pd.DataFrame:
    """Score and top inputs of some clients of the served set, from the columns the set keeps
    in memory for the population plots (never the whole matrix: 1.2 GB at Kaggle size)."""
    table = state.clients.iloc[rows]
    values = state.plot_columns.iloc[rows][top].to_numpy(np.float64)
    return pd.concat([pd.DataFrame({SCORE: table["probability"].to_numpy(np.float64)}),
                      pd.DataFrame(values, columns=top)], axis=1)


@derived_value("monitoring_reference")
def reference_period(state: AppState) -> dict[str, Any] | None:
    """The served set's training-vs-test comparison, as a period: the PSI of the score
    (training clients out-of-fold) and of the top inputs between the set's training and test
    clients, on the training deciles, as `python -m model monitor` measures every period.
    Computed once, when the set loads (it depends on the set only)."""
    from model.explain.global_shap import top_features

    sets = state.clients["set"].to_numpy() if "set" in state.clients.columns else None
    if sets is None or not (sets == "test").any():
        return None
    top = [c for c in top_features(state.shap_global, config.MONITOR_TOP_INPUTS)
           if c in state.plot_columns.columns]  # the top inputs are among the plot columns
    train = _side(state, np.flatnonzero(sets == "train"), top)
    test = _side(state, np.flatnonzero(sets == "test"), top)
    psi = PopulationStability().fit(train).transform(test)
    alerts = [{"input": name, "metric": "psi", "value": value, "band": band(value)}
              for name, value in psi.items() if band(value) != "stable"]
    return {"period": REFERENCE_KEY, "status": status_of(alerts), "clients": int(len(test)),
            "psi_score": psi[SCORE], "alerts": alerts,
            "rates": {"psi_inputs": {k: v for k, v in psi.items() if k != SCORE}},
            "maturity": None, "backtest": None, "report_file": None}


def report_url(report_file: str | None) -> str | None:
    """The link of a period's Evidently page, when its file is in the monitoring folder."""
    if not report_file:
        return None
    name = report_file.rsplit("/", 1)[-1]
    if not REPORT_FILE.match(name) or not (config.monitoring_dir() / "reports" / name).is_file():
        return None
    return REPORT_PREFIX + name


def _number(value: float | None, lang: str, decimals: int = 2) -> str:
    return _t("none", lang) if value is None else format_number(value, lang, decimals)


def _percent(value: float | None, lang: str) -> str:
    return _t("none", lang) if value is None else format_percent(value, lang)


def backtest_text(entry: dict[str, Any], lang: str) -> str:
    """The back-test in one line, or why there is none yet."""
    result, maturity = entry.get("backtest"), entry.get("maturity")
    if result:
        return _t("backtest", lang, auc=_number(result["auc"], lang),
                  gini=_number(result["gini"], lang), ks=_number(result["ks"], lang),
                  calibration=_t("passed" if result["calibration"]["passed"] else "failed", lang))
    if maturity is None:
        return _t("none", lang)
    if not maturity.get("matured"):
        return _t("immature", lang, day=format_date(pd.Timestamp(maturity["matures_on"]).date(),
                                                    lang))
    return _t("no_outcomes", lang)


def period_row(entry: dict[str, Any], dictionary: pd.DataFrame | None, lang: str) -> PeriodRow:
    rates = entry.get("rates") or {}
    inputs = rates.get("psi_inputs") or {}
    top = max(inputs.items(), key=lambda item: item[1] or 0.0, default=None)
    key = entry["period"]
    return PeriodRow(
        key=key, period=_t("reference", lang) if key == REFERENCE_KEY else key,
        clients=format_number(entry["clients"], lang),
        status=entry["status"], status_text=status_text(entry["status"], lang),
        score_psi=_number(entry.get("psi_score"), lang),
        top_input=(_t("psi_input", lang, label=column_label(dictionary, top[0], lang),
                      value=_number(top[1], lang)) if top else _t("none", lang)),
        approval=_percent(rates.get("approval_rate"), lang),
        override=_percent(rates.get("override_rate"), lang),
        no_history=_percent(rates.get("share_without_history"), lang),
        backtest=backtest_text(entry, lang), report_url=report_url(entry.get("report_file")))


@dataclass(frozen=True)
class PeriodAlerts:
    """A period's alerts in words, worst first, with the period's status."""
    period: str
    status_text: str
    items: list[str]


def alert_items(entries: list[dict[str, Any]], dictionary: pd.DataFrame | None,
                lang: str) -> list[PeriodAlerts]:
    """Every alert, newest period first, worst first within a period: which input, when,
    how far (the PSI and its band). Periods without alerts are left out."""
    grouped = []
    for entry in reversed(entries):
        period = _t("reference", lang) if entry["period"] == REFERENCE_KEY else entry["period"]
        items = []
        for alert in sorted(entry["alerts"], key=lambda a: -(a["value"] or 0.0)):
            values = {"period": period, "value": _number(alert["value"], lang),
                      "band": status_text(alert["band"], lang)}
            if alert["input"] == SCORE:
                items.append(_t("alert_score", lang, **values))
            else:
                items.append(_t("alert", lang, label=column_label(dictionary, alert["input"], lang),
                                column=alert["input"], **values))
        if items:
            grouped.append(PeriodAlerts(period, status_text(entry["status"], lang), items))
    return grouped


def monitoring_screen(lang: str) -> MonitoringScreen | None:
    """The trend table, alerts and chart; None when no period was monitored yet."""
    stored = stored_periods()
    if not stored:
        return None
    state = clients.get_state()
    entries = [e for e in [reference_period(state)] if e is not None] + stored
    rows = [period_row(e, state.dictionary, lang) for e in entries]
    figure, alternative = fig.trend_chart(
        [r.period for r in rows], [e.get("psi_score") for e in entries],
        [max((e.get("rates") or {}).get("psi_inputs", {}).values(), default=None)
         for e in entries],
        [e["status"] for e in entries], [r.status_text for r in rows], lang)
    matured = [{"label": e["period"], "value": e["period"]} for e in stored if e.get("backtest")]
    return MonitoringScreen(
        rows=rows, alerts=alert_items(entries, state.dictionary, lang), figure=figure,
        text_alternative=alternative,
        bands=_t("bands", lang, watch=format_number(config.PSI_BANDS["watch"], lang, 2),
                 drift=format_number(config.PSI_BANDS["drift"], lang, 2)),
        matured=matured)


DECILE_COLUMNS = ("decile", "clients", "defaults", "predicted_rate", "observed_rate",
                  "interval", "inside")


def backtest_rows(period: str, lang: str) -> tuple[list[dict[str, str]], dict[str, str]] | None:
    """The decile table of a matured period (rank ordering and calibration), in words, and its
    summary facts; None when the period has no back-test."""
    entry = next((e for e in stored_periods() if e["period"] == period), None)
    result = entry.get("backtest") if entry else None
    if not result:
        return None
    yes, no = ("oui", "non") if lang == "fr" else ("yes", "no")
    rows = [{"decile": str(d["decile"]), "clients": format_number(d["clients"], lang),
             "defaults": format_number(d["defaults"], lang),
             "predicted_rate": format_percent(d["predicted_rate"], lang),
             "observed_rate": format_percent(d["observed_rate"], lang),
             "interval": f"{format_percent(d['jeffreys_lower'], lang)} – "
                         f"{format_percent(d['jeffreys_upper'], lang)}",
             "inside": f"✓ {yes}" if d["prediction_inside"] else f"✗ {no}"}
            for d in result["deciles"]]
    facts = {"headline": backtest_text(entry, lang),
             "p_value": format_number(result["calibration"]["p_value"], lang, 3),
             "inversions": str(result["rank_inversions"]),
             "observed": format_percent(result["observed_rate"], lang),
             "predicted": format_percent(result["predicted_rate"], lang)}
    return rows, facts

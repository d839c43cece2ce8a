"""Component ids shared across the shell and the pages, in one place.

Ids are kebab-case strings; a typo in an id then becomes an `AttributeError`
at import instead of a callback that silently never fires.
"""
from __future__ import annotations

# --- shell (webapp/layout.py) -------------------------------------------------
LANGUAGE = "language-store"            # dcc.Store: "fr" | "en" (mirrors the persisted switch)
LANGUAGE_SWITCH = "language-switch"    # dbc.RadioItems FR / EN
URL = "url"                            # dcc.Location used to navigate from callbacks
CLIENT_STORE = "selected-client-store" # dcc.Store: SK_ID_CURR (int) of the client on screen
CLIENT_PICKER = "client-picker"        # search box: typed digits, matches listed below (server-side)
CLIENT_PICKER_RESULTS = "client-picker-results"  # list of links to the matching clients
CLIENT_PICKER_STATUS = "client-picker-status"    # live text: how many match, "n more: type more digits"
CLIENT_PICKER_LABEL = "picker-label"
CLIENT_SEARCH_REGION = "client-search"           # the search landmark holding both boxes
CLIENT_ID_INPUT = "client-id-input"    # plain input to type an ID
CLIENT_ID_GO = "client-id-go"          # button "open" next to the input
CLIENT_ID_FEEDBACK = "client-id-feedback"
NAVIGATION = "main-navigation"
NAV_LINK = "nav-link"                  # pattern-matching id prefix: {"type": NAV_LINK, "page": ...}
ANNOUNCER = "page-announcer"           # aria-live region
CLIENT_ID_LABEL = "id-input-label"
SKIP_LINK = "skip-link"
APP_TITLE = "app-title"
LANGUAGE_LABEL = "language-label"
MAIN_NAV = "main-nav"                  # the <nav> landmark around NAVIGATION
MAIN_CONTENT = "main-content"          # <main>, target of the skip link
APP_FOOTER = "app-footer"
SIGNED_IN_AS = "signed-in-as"
SIGN_OUT = "sign-out"
NOT_FOUND_HEADING = "not-found-heading"  # 404 page (webapp/pages/not_found_404.py)

# --- screen 1: client file ---------------------------------------------------
CLIENT_GAUGE = "client-score-gauge"

# --- screen 2: why this score ------------------------------------------------
WHY_TOP_N = "why-top-n"
WHY_CLIENT = "why-client-id"
WHY_CHART = "why-contributions-chart"
WHY_CAPTION = "why-chart-caption"
WHY_SENTENCES = "why-sentences"
WHY_TABLE = "why-contributions-table"

# --- screen 3: compare (webapp/pages/compare.py) ----------------------------
COMPARE_CLIENT = "compare-client-id"            # dcc.Store: the client on screen
COMPARE_FEATURE = "compare-feature"             # dcc.Dropdown: the feature on the distribution
COMPARE_GROUP = "compare-group"                 # dbc.RadioItems: all / similar / neighbours
COMPARE_SCALE = "compare-scale"                 # dbc.RadioItems: the distribution's axis scale
COMPARE_DISTRIBUTION = "compare-distribution"
COMPARE_DISTRIBUTION_CHART = "compare-distribution-chart"
COMPARE_DISTRIBUTION_CAPTION = "compare-distribution-caption"
COMPARE_PERCENTILE = "compare-percentile"
COMPARE_SCATTER_X = "compare-scatter-x"         # dcc.Dropdown
COMPARE_SCATTER_Y = "compare-scatter-y"         # dcc.Dropdown
COMPARE_SCATTER_SCALE = "compare-scatter-scale" # dbc.RadioItems: the scatter's axis scale
COMPARE_SCATTER = "compare-scatter"
COMPARE_SCATTER_CHART = "compare-scatter-chart"
COMPARE_SCATTER_CAPTION = "compare-scatter-caption"

# --- screen 4: what-if -------------------------------------------------------
WHATIF_CLIENT = "whatif-client-id"
WHATIF_FIELD = "whatif-field"          # pattern-matching: {"type": WHATIF_FIELD, "field": name}
WHATIF_FEEDBACK = "whatif-feedback"    # pattern-matching: {"type": WHATIF_FEEDBACK, "field": name}
WHATIF_RESET = "whatif-reset"
WHATIF_RESULT = "whatif-result"
WHATIF_CHART = "whatif-contributions-chart"
WHATIF_PROBABILITY = "whatif-probability"
WHATIF_LOAN_TERM = "whatif-loan-term"

# --- screen 5: new applicant -------------------------------------------------
NEW_FIELD = "new-field"                # pattern-matching: {"type": NEW_FIELD, "field": name}
NEW_FEEDBACK = "new-feedback"          # pattern-matching: {"type": NEW_FEEDBACK, "field": name}
NEW_SUBMIT = "new-submit"
NEW_RESULT = "new-result"
NEW_PROBABILITY = "new-probability"
CLIENT_PROBABILITY = "client-probability"
CLIENT_THRESHOLD = "client-threshold"
CLIENT_DECISION = "client-decision"
CLIENT_DISTANCE = "client-distance"
CLIENT_FACTS = "client-facts"
PAGE_ERROR = "page-error"
# Lending policy rules that fired, shown apart from the model's reasons.
CLIENT_POLICY_RULES = "client-policy-rules"
WHY_POLICY_RULES = "why-policy-rules"
WHATIF_POLICY_RULES = "whatif-policy-rules"
NEW_POLICY_RULES = "new-policy-rules"
# Model screen: fairness report.
MODEL_FAIRNESS = "model-fairness"

# --- screen 6: model (webapp/pages/model_card.py) ----------------------------
MODEL_CARD = "model-card"
MODEL_THRESHOLD = "model-threshold"
MODEL_COST_CHART = "model-cost-curve"
MODEL_COST_NOTE = "model-cost-note"            # cross-validated vs held-out cost, in words
MODEL_COMPARISON = "model-comparison-table"
MODEL_PARAMS = "model-hyperparameters-table"
MODEL_IMPORTANCE_CHART = "model-importance-chart"
MODEL_BEESWARM_CHART = "model-beeswarm-chart"
MODEL_SEGMENTS = "model-segments-table"
# The Model screen's calibration-by-age-band tables, by source (metrics.json key).
MODEL_AGE_BANDS = {"by_age_band": "model-age-bands-held-out-table",
                   "by_age_band_out_of_fold": "model-age-bands-out-of-fold-table"}
MODEL_CONSTRAINTS = "model-constraints"
MODEL_POLICY_RULES = "model-policy-rules"
MODEL_FAIRNESS_PROXIES = "model-fairness-proxies"

# --- screen 7: data drift (webapp/pages/drift.py) ----------------------------
DRIFT_VERDICT = "drift-verdict"
DRIFT_SUMMARY = "drift-summary"
DRIFT_SCOPE = "drift-scope"                    # which columns, tests and thresholds the count covers
DRIFT_REPORT_SCOPE = "drift-report-scope"      # what the linked Evidently page counts
DRIFT_REPORT_LINK = "drift-report-link"
DRIFT_TABLE = "drift-table"
DRIFT_TABLE_BODY = "drift-table-body"
DRIFT_SHOW_ALL = "drift-show-all"              # button: first rows / every row
DRIFT_SORT = "drift-sort"                      # select: most drifted / most influential / by name
DRIFT_ROW_PICK = "drift-row-pick"              # pattern-matching: {"type": DRIFT_ROW_PICK, "column": name}
DRIFT_FEATURE = "drift-feature"
DRIFT_DISTRIBUTION = "drift-distribution"
DRIFT_DISTRIBUTION_CHART = "drift-distribution-chart"
DRIFT_PREDICTION_CHART = "drift-prediction-chart"
DRIFT_PERIODS = "drift-periods"                # section: monitoring over time (issue 22)
DRIFT_PERIODS_TABLE = "drift-periods-table"
DRIFT_PERIODS_CHART = "drift-periods-chart"
DRIFT_ALERTS = "drift-alerts"
DRIFT_BACKTEST_PERIOD = "drift-backtest-period"  # select: matured period whose back-test is shown
DRIFT_BACKTEST = "drift-backtest"

# --- advisor's decision (webapp/ui/decision_form.py) and audit screen (webapp/pages/audit.py) ---
DECISION_CARD = "decision-card"
DECISION_CONTEXT = "decision-context"          # dcc.Store: {"client_id": ...} or {"new": true}
DECISION_RECOMMENDATION = "decision-recommendation"
DECISION_CHOICE = "decision-choice"
DECISION_CATEGORY = "decision-category"
DECISION_REASON = "decision-reason"
DECISION_REVIEW = "decision-review"
DECISION_SUBMIT = "decision-submit"
DECISION_FEEDBACK = "decision-feedback"
AS_SCORED = "as-scored"
AUDIT_ACTOR = "audit-actor"
AUDIT_DATES = "audit-dates"
AUDIT_OUTCOME = "audit-outcome"
AUDIT_FLAGS = "audit-flags"
AUDIT_TABLE = "audit-table"
AUDIT_RATES = "audit-rates"
AUDIT_QUEUE = "audit-queue"
AUDIT_EXPORT = "audit-export"

# --- forms kept across the language switch (what-if, new applicant, why) ----------------
FORM_MEMORY = "form-memory-store"      # dcc.Store (session): {key: remembered values}, see webapp/ui/fields.py
WHATIF_STALE = "whatif-stale"          # "Out of date: correct the field …" above the result
WHATIF_COUNTERFACTUAL = "whatif-counterfactual"
WHATIF_SENTENCES = "whatif-sentences"
WHATIF_MISSING_NOTE = "whatif-missing-note"
NEW_PAGE = "new-page-store"            # dcc.Store: {"entry": ...}, fires the form's restore on render
NEW_FORM = "new-applicant-form"
NEW_CHART = "new-contributions-chart"
NEW_SENTENCES = "new-sentences"
CLIENT_COUNTERFACTUAL = "client-counterfactual"
CLIENT_LETTER = "client-letter"

# --- messages and read-outs the browser tests look for ------------------------------------
HOME_DATA_SUMMARY = "home-data-summary"      # what the app has loaded (clients, model, date)
DECISION_ERRORS = "decision-errors"          # the decision form's field messages
DECISION_SAVED = "decision-saved"            # "decision recorded" with its log entry
DECISION_NOT_SAVED = "decision-not-saved"    # the database did not answer: nothing recorded
WHY_CONCEPT_DETAILS = "why-concept-details"  # a concept opened: its raw features
AUDIT_OVERALL_RATE = "audit-overall-rate"    # overall override rate on the audit screen


def dom_id(component_id: dict) -> str:
    """The DOM id Dash gives a pattern-matching id (for `<label for=...>` and browser tests)."""
    import json

    return "{" + ",".join(f"{json.dumps(k)}:{json.dumps(component_id[k])}"
                          for k in sorted(component_id)) + "}"

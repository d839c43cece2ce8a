"""The one place for paths, seeds and business constants.

Every path can be overridden by an environment variable so that the same code
runs on a laptop, in CI and on the Azure web app without edits.
"""
from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _path_from_env(variable: str, default: Path) -> Path:
    value = os.environ.get(variable)
    return Path(value).expanduser().resolve() if value else default


# Raw Kaggle-format tables dropped by the user (gitignored).
DATA_DIR = _path_from_env("SCORING_DATA_DIR", PROJECT_ROOT / "data" / "raw")
# Synthetic tables generated when no real data is present (gitignored).
SYNTH_DIR = _path_from_env("SCORING_SYNTH_DIR", PROJECT_ROOT / "data" / "synthetic")


def artifacts_dir() -> Path:
    """Trained model, feature matrix, SHAP and drift outputs read by the app (gitignored).

    Read from the environment at each call, not at import, because tests and the app's
    first start point `SCORING_ARTIFACTS` elsewhere after `model.config` is imported.
    """
    return _path_from_env("SCORING_ARTIFACTS", PROJECT_ROOT / "artifacts")


# Artifact sets kept under the artifacts root for audit (at least 2: a running app serves the
# previous set until it notices the new `current`). See model/artifacts.py.
KEEP_SETS = int(os.environ.get("SCORING_KEEP_SETS", "3"))
# How often (seconds) the app re-reads the artifacts root's `current` pointer.
RELOAD_CHECK_SECONDS = float(os.environ.get("SCORING_RELOAD_SECONDS", "2"))
# The HMAC key of artifact manifests is read from SCORING_ARTIFACT_KEY at use, never stored
# here; it is required when SCORING_ENV=production (model.artifacts.signing_key).

# MLflow file store (gitignored).
MLRUNS_DIR = _path_from_env("SCORING_MLRUNS", PROJECT_ROOT / "mlruns")
# The real 5,000-client Kaggle slice used by tests (read only, never committed).
SAMPLE_DIR = _path_from_env(
    "SCORING_SAMPLE_DIR", PROJECT_ROOT.parent / "shared" / "data" / "homecredit-sample"
)

SEED = 42

# Business cost of a decision: a missed defaulter (false negative) costs ten
# times a wrongly refused good client (false positive).
COST_FN = 10
COST_FP = 1

# Kaggle's day counts (DAYS_BIRTH, ...) in years: one constant for the features, the fairness
# report's age bands and the lending rules.
DAYS_PER_YEAR = 365.25

# Size of the synthetic data set built for the demo when nothing else exists.
DEMO_CLIENTS = int(os.environ.get("SCORING_DEMO_CLIENTS", "5000"))


# ---------------------------------------------------------------------------
# Protected attributes (EU AI Act Annex III 5(b), Consumer Credit Directive 2023/2225)
# ---------------------------------------------------------------------------
# Raw application fields the model must never see: their columns and every feature
# derived from them are left out of the feature matrix, hence out of SHAP, the
# reasons, the what-if and the API. They stay in clients.parquet and
# applications.parquet, where only the fairness report reads them. Age (DAYS_BIRTH)
# is kept: a legitimate, monitored factor of repayment capacity over the loan term.
PROTECTED_ATTRIBUTES: tuple[str, ...] = ("CODE_GENDER",)

# ---------------------------------------------------------------------------
# Directions a credit officer knows (LightGBM monotone constraints)
# ---------------------------------------------------------------------------
# (source table, underlying column) -> (direction, reason). +1: a higher value never
# lowers the probability of default; -1: never raises it. Resolved against the fitted
# builder's FeatureInfo (source, column, aggregation) by model.training.constraints:
# every statistic of the column with a direction (min, max, mean, sum, raw, ratio) gets
# it; a spread (var, std) or a count of distinct values has none and stays free.
MONOTONE_CONSTRAINTS: dict[tuple[str, str], tuple[int, str]] = {
    ("application", "EXT_SOURCE_1"): (-1, "external score: higher means a better payer"),
    ("application", "EXT_SOURCE_2"): (-1, "external score: higher means a better payer"),
    ("application", "EXT_SOURCE_3"): (-1, "external score: higher means a better payer"),
    ("application", "EXT_SOURCES_MEAN"): (-1, "mean of the external scores"),
    ("application", "EXT_SOURCES_MIN"): (-1, "lowest external score"),
    ("application", "EXT_SOURCES_MAX"): (-1, "highest external score"),
    ("application", "AMT_INCOME_TOTAL"): (-1, "more income never lowers repayment capacity"),
    ("application", "INCOME_PER_PERSON"): (-1, "income per household member, same reason"),
    ("application", "CREDIT_INCOME_RATIO"): (+1, "more credit per unit of income is a heavier debt"),
    ("application", "ANNUITY_INCOME_PERC"): (+1, "debt-service ratio: a larger share of income to repay"),
    ("application", "AMT_ANNUITY"): (+1, "a dearer instalment for the same income is harder to pay"),
    ("application", "AMT_CREDIT"): (+1, "more borrowed for the same income and instalment is more debt"),
    ("application", "GOODS_CREDIT_RATIO"): (-1, "credit beyond the goods' price is unsecured cash"),
    ("installments_payments", "DPD"): (+1, "days paid after the due date on previous loans"),
    ("installments_payments", "LATE"): (+1, "share / number of late instalments"),
    ("installments_payments", "PAYMENT_DIFF"): (+1, "amount left unpaid on previous instalments"),
    ("POS_CASH_balance", "SK_DPD"): (+1, "days past due on previous store and cash loans"),
    ("POS_CASH_balance", "SK_DPD_DEF"): (+1, "days past due beyond tolerance, same loans"),
    ("credit_card_balance", "SK_DPD"): (+1, "days past due on previous credit cards"),
    ("credit_card_balance", "SK_DPD_DEF"): (+1, "days past due beyond tolerance, same cards"),
    ("bureau", "CREDIT_DAY_OVERDUE"): (+1, "days overdue on credits at other lenders"),
    ("bureau", "AMT_CREDIT_SUM_OVERDUE"): (+1, "amount overdue at other lenders"),
    ("bureau", "AMT_CREDIT_MAX_OVERDUE"): (+1, "largest amount ever overdue at other lenders"),
}
# Application features left out of the model because no direction can be set on them
# while the constraints above hold for the raw fields an advisor edits. With these out, the
# features a loan's size moves at a fixed income are AMT_CREDIT, AMT_ANNUITY,
# CREDIT_INCOME_RATIO and ANNUITY_INCOME_PERC (all +1) and GOODS_CREDIT_RATIO (unchanged when
# credit, annuity and goods price are scaled together): a larger loan never lowers the
# probability, for the main model and the application-only model alike (one table).
NO_DIRECTION_FEATURES: dict[str, str] = {
    # annuity / credit: raising the annuity raises it, lowering the credit raises it too;
    # +1 would make a smaller credit riskier, -1 a dearer instalment safer (issue 10).
    "PAYMENT_RATE": "moves both ways with annuity and credit; the term is shown instead",
    # the spread of the external scores rises or falls when one score rises.
    "EXT_SOURCES_STD": "not monotone in any external score",
    # Issue 18: unconstrained, the goods' price made a bigger loan look safer (credit, annuity
    # and goods price scaled together lowered the probability for 1,501 of 4,916 real
    # applicants without history). Its direction is not the lender's to set (a dearer good is
    # neither riskier nor safer in itself); it enters relative to the credit only, through
    # GOODS_CREDIT_RATIO (-1), which scaling the whole loan leaves unchanged.
    "AMT_GOODS_PRICE": "enters relative to the credit only (GOODS_CREDIT_RATIO)",
}
# Age past these birthdays, as application features (DAYS_BIRTH_PAST_60, _65: Kaggle's negative
# days beyond the birthday, 0 before it). In the synthetic data at Kaggle size the default rate
# keeps falling after 55 (6.3 % at 55-58, 4.4 % at 63-64, 2.4 % at 67-70; the real sample's
# 116 clients over 65 are too few to say), which a term linear in days cannot follow and the
# trees, regularised, rarely split for: the deployed blend predicted the held-out 65+ band
# 31 % above its planted rate. With these two hinges the linear part bends at 60 and 65 (+4 %)
# and the blend is 13 % over (issue 18, docs/benchmarks.md). No direction, like age.
AGE_KNOTS_YEARS: tuple[int, ...] = (60, 65)
# The loan's own trees (model.training.candidates.EarlyStoppingLGBMClassifier._base): LightGBM
# first grows up to LOAN_BASE_TREES trees on these columns alone (all +1 above, so a larger loan
# at the same income never lowers the risk), then boosts every column on top. Left to compete
# with 790 other columns, the loan was rarely split on: doubling it changed the probability of
# 22 % of the real sample's clients. The stage's own settings decide how many clients it
# reaches. At a learning rate of 0.1 (7 leaves, 63 bins) it stopped after 54 trees, its
# thresholds in a few places, flat beyond them: doubling raised 75 % (the largest loans, where
# the data shows no more defaults, stayed flat). At 0.01 each tree moves the fit so little
# that the next ones refit the same rising shape on another half of the rows (subsample 0.5)
# with thresholds elsewhere: 200 small staircases of 4 leaves add up to a slope that rises
# wherever the constrained fit may rise, and doubling the loan raises 99 % of the sample's
# clients (with history and as new applicants; 100 % with 255 bins, at twice the stage's
# cost), held-out AUC 0.731 -> 0.733, CV AUC 0.7529 -> 0.7544 on the same folds
# (docs/benchmarks.md, issue 18).
LOAN_BASE_FEATURES: tuple[str, ...] = ("AMT_CREDIT", "AMT_ANNUITY", "CREDIT_INCOME_RATIO",
                                       "ANNUITY_INCOME_PERC")
LOAN_BASE_TREES = 200
LOAN_BASE_LEARNING_RATE = 0.01
LOAN_BASE_PARAMS: dict[str, float] = {"num_leaves": 4, "min_child_samples": 20, "subsample": 0.5}
# The loan must matter (issue 18): a candidate is eligible only if doubling its loan (credit,
# annuity and goods price scaled by LOAN_RESPONSE_FACTOR at the same income) strictly raises
# the probability of at least LOAN_RESPONSE_MIN_SHARE of LOAN_RESPONSE_CLIENTS tuning clients
# with a complete loan, and lowers it for none. A model the loan cannot move leaves the
# what-if and the proposals nothing to offer: the scorecard's bins, flat between two cut
# points, raised 49.8 % of the real sample's 500 (61.6 % of every client, refitted on all of
# them; docs/benchmarks.md); the dummy, none.
LOAN_AMOUNT_COLUMNS: tuple[str, ...] = ("AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE")
LOAN_RESPONSE_FACTOR = 2.0
LOAN_RESPONSE_MIN_SHARE = 0.8
LOAN_RESPONSE_CLIENTS = 500
# LightGBM's constraint method: "intermediate" is less restrictive than "basic" at a
# small extra cost per tree (LightGBM 4 docs, `monotone_constraints_method`).
MONOTONE_METHOD = "intermediate"
# The blend candidate (LightGBM + sign-bounded logistic regression, log-odds averaged): the
# trees' share in its first configuration. Measured on the real sample's five folds of 4,000
# clients (benchmarks/bench_blend.py): CV AUC 0.7544 at 1 (LightGBM alone), 0.7581 at 0.7,
# 0.7577 at 0.6, 0.7565 at 0.5, 0.7282 at 0 (the logistic regression alone); the cost per
# 1,000 was lowest at 0.6 (497 against 502). The full search draws it in [0.4, 0.9].
BLEND_WEIGHT = 0.6

# --- Lending policy rules -------------------------------------------------------------------------
# Applied after the model, whatever the probability: a rule that fires makes the outcome
# `refused` (or `review`: a person decides). The build writes them into the artifact set
# (`policy.json`) and the app applies the set's rules, not these, so a score stays reproducible.
#
# Debt-service ratio cap: 35 % of the yearly income, the French HCSF ceiling for home loans and
# the usual affordability benchmark (5.0 % of the real sample's training clients are above it).
# Credit-to-income cap: at a 35 % debt-service ratio, repaying 10 years of income takes at least
# 28.6 years of payments with no interest at all, beyond any consumer-loan term; such a file goes
# to a person (3.1 % of the real sample's training clients, default rate 2.6 %).
POLICY_DEFAULTS = {"max_debt_service_ratio": 0.35, "max_credit_to_income": 10.0,
                   "min_age_years": 18.0}


def policy_rules() -> tuple[dict, ...]:
    """The configured rule set; caps read from the environment at each call (tests, deployments).

    `measure` names a ratio computed by `model.scoring.policy` from raw application fields; a rule fires
    when the measure is `above` (or `below`) its threshold. `{value}` and `{threshold}` in the
    texts are filled in the reader's language.
    """
    def env(name: str, key: str) -> float:
        return float(os.environ.get(name, POLICY_DEFAULTS[key]))

    return (
        {"id": "debt_service_ratio", "measure": "annuity_to_income", "comparison": "above",
         "threshold": env("SCORING_POLICY_MAX_DEBT_SERVICE_RATIO", "max_debt_service_ratio"),
         "unit": "percent", "outcome": "refused",
         "text_fr": ("Taux d'endettement de {value} (annuité / revenu annuel), au-dessus du "
                     "plafond de {threshold} : crédit refusé quel que soit le score."),
         "text_en": ("Debt-service ratio of {value} (annuity / yearly income), above the "
                     "{threshold} cap: credit refused whatever the score."),
         "letter_fr": ("Vos remboursements représenteraient {value} de vos revenus ; notre "
                       "limite est de {threshold}."),
         "letter_en": ("Your repayments would take {value} of your income; our limit is "
                       "{threshold}.")},
        {"id": "credit_to_income", "measure": "credit_to_income", "comparison": "above",
         "threshold": env("SCORING_POLICY_MAX_CREDIT_TO_INCOME", "max_credit_to_income"),
         "unit": "times", "outcome": "review",
         "text_fr": ("Crédit égal à {value} fois le revenu annuel, au-delà de {threshold} fois : "
                     "la demande doit être étudiée par un responsable."),
         "text_en": ("Credit of {value} times the yearly income, beyond {threshold} times: "
                     "the application must be reviewed by a manager."),
         "letter_fr": ("Le crédit demandé représente {value} fois vos revenus annuels ; au-delà "
                       "de {threshold} fois, un responsable étudie chaque demande."),
         "letter_en": ("The credit asked for is {value} times your yearly income; beyond "
                       "{threshold} times, a manager studies each application.")},
        {"id": "minimum_age", "measure": "age_years", "comparison": "below",
         "threshold": POLICY_DEFAULTS["min_age_years"], "unit": "years", "outcome": "refused",
         "text_fr": ("Demandeur âgé de {value}, moins de {threshold} : un mineur ne peut pas "
                     "souscrire de crédit."),
         "text_en": ("Applicant aged {value}, under {threshold}: a minor cannot take out "
                     "a credit."),
         "letter_fr": "Un crédit ne peut être accordé qu'à partir de {threshold}.",
         "letter_en": "A credit can only be granted from the age of {threshold}."},
    )

# --- Fairness report (held-out split, business threshold) ----------------------------------------
# Lower edges of the age bands (years): under 25, 25-34, 35-44, 45-54, 55-64, 65 and over.
FAIRNESS_AGE_EDGES = (25, 35, 45, 55, 65)
# Every gender code of the Kaggle files, reported even when a split holds none of them.
FAIRNESS_GENDER_GROUPS = ("F", "M", "XNA")
# Bootstrap of the held-out clients: seeded, vectorised (model.fairness._bootstrap_rates: one
# matrix product per group; fairlearn's own bootstrap refitted a frame per resample and took
# 383 s of CPU on the 61,503 held-out clients of a Kaggle-size build).
FAIRNESS_BOOTSTRAP = 100
FAIRNESS_CI = (0.025, 0.975)
# The "four-fifths rule": a group's approval rate under 0.8 times the best group's is flagged.
DISPARATE_IMPACT_LIMIT = 0.8
# Groups smaller than this are reported but never flagged (their rates are noise).
FAIRNESS_MIN_GROUP = 30
# Inputs checked as possible proxies of gender, and the Cramér's V above which they count as one.
PROXY_COLUMNS = ("NAME_INCOME_TYPE", "NAME_FAMILY_STATUS", "OCCUPATION_TYPE",
                 "ORGANIZATION_TYPE", "NAME_EDUCATION_TYPE", "FLAG_OWN_CAR")
PROXY_CRAMERS_V_LIMIT = 0.3

# ---------------------------------------------------------------------------
# Explanations, counterfactuals, missing fields (issue 11)
# ---------------------------------------------------------------------------
# Home Credit's "no value" code in DAYS_* columns (pensioners' DAYS_EMPLOYED, previous
# applications' DAYS_FIRST_DUE...): 365,243 days = 1,000 years, i.e. "never".
DAYS_NO_VALUE = 365243
# Plausible bounds of "what would change the decision": the credit lowered to at most
# this share of the amount asked (same term), or the term lengthened by at most this
# factor (same credit); each path is searched on a grid of this many points, refined once.
COUNTERFACTUAL_MIN_CREDIT_SHARE = 0.2
COUNTERFACTUAL_MAX_TERM_FACTOR = 1.5
COUNTERFACTUAL_GRID = 16
# Optional application fields an applicant may leave empty. Left empty, a field must never
# make the score better than the typical applicant's with it known: it is scored at the
# training median when that gives a higher probability than leaving it missing.
MISSING_NEVER_HELPS: tuple[str, ...] = ("EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3")
# The lender named on the letters to customers.
LENDER_NAME = os.environ.get("SCORING_LENDER_NAME", "Prêt à dépenser")

# ---------------------------------------------------------------------------
# One assessment (model/scoring): principal reasons and what the customer can do (issue 17)
# ---------------------------------------------------------------------------
# At most this many principal reasons per decision (adverse-action notices give four), each
# raising the probability by at least this much: 0.5 point. Under it a "reason" is noise a
# customer cannot act on (600 sampled clients had 871 of 1,554 reasons under 0.5 point).
MAX_REASONS = 4
MIN_REASON_POINTS = 0.005
# What a customer can do about a principal reason when no change of the loan helps: short,
# true steps by concept (model/features/concepts.py), FR and EN. A concept absent here
# (age, technical details) has no step to offer; "missing" is offered for a reason whose
# driving value is unknown in the file.
CUSTOMER_ACTIONS: dict[str, dict[str, str]] = {
    "external": {
        "fr": ("Consultez gratuitement votre dossier auprès des organismes d'information sur le "
               "crédit et demandez la correction de toute erreur."),
        "en": "Check your file with the credit reference agencies (free of charge) and have any "
              "error corrected."},
    "bureau": {
        "fr": ("Vérifiez les crédits déclarés à votre nom chez d'autres prêteurs ; un crédit soldé "
               "ou une erreur peut être signalé à votre conseiller avec un justificatif."),
        "en": "Check the credits reported in your name by other lenders; a credit repaid or an "
              "error can be reported to your advisor with proof."},
    "repayment": {
        "fr": ("Régularisez les échéances en retard de vos crédits chez nous ; votre conseiller "
               "peut vous proposer un échéancier."),
        "en": "Settle the late instalments of your loans with us; your advisor can offer a "
              "repayment schedule."},
    "cards": {
        "fr": "Réduisez le solde utilisé de vos cartes de crédit chez nous.",
        "en": "Reduce the balance used on your credit cards with us."},
    "previous": {
        "fr": ("Si votre situation a changé depuis vos demandes précédentes, apportez-en les "
               "justificatifs."),
        "en": "If your situation has changed since your earlier applications, bring proof of it."},
    "loan": {
        "fr": "Un montant plus faible ou un apport personnel plus élevé réduirait le risque.",
        "en": "A smaller amount or a larger down payment would lower the risk."},
    "affordability": {
        "fr": ("Un montant plus faible ou une durée plus longue réduirait la part de vos revenus "
               "consacrée aux remboursements."),
        "en": "A smaller amount or a longer term would lower the share of your income going to "
              "repayments."},
    "income": {
        "fr": ("Apportez les justificatifs de tous vos revenus et de votre emploi (contrat, "
               "bulletins de salaire)."),
        "en": "Bring proof of all your income and of your employment (contract, payslips)."},
    "family": {
        "fr": "Signalez tout changement de votre situation familiale ou de logement, avec justificatif.",
        "en": "Report any change of your family or housing situation, with proof."},
    "region": {
        "fr": "Signalez tout changement d'adresse ou de lieu de travail.",
        "en": "Report any change of address or workplace."},
    "contact": {
        "fr": "Mettez à jour vos coordonnées et vos pièces d'identité auprès de votre conseiller.",
        "en": "Update your contact details and identity papers with your advisor."},
    "missing": {
        "fr": "Fournissez l'information manquante de votre dossier : {what}.",
        "en": "Provide the information missing from your file: {what}."},
}

# Overall drift verdict of the Data drift screen (model/drift/verdict.py). "Important" means
# among the model's DRIFT_TOP_FEATURES most influential features (the head of the sorted
# shap_global.parquet). Levels are tried in order; the first whose any condition holds is the
# verdict, the last (no condition) is the default. Shares are of the tested features, the
# prediction aside. 30 % drifted or two important features: the population the model scores
# has changed enough to re-estimate it; 10 % or one important feature or drifted predictions:
# watch the next batch.
DRIFT_TOP_FEATURES = 10
DRIFT_VERDICT_RULES = (
    {"level": "review", "min_share_drifted": 0.30, "min_top_drifted": 2, "prediction": False},
    {"level": "watch", "min_share_drifted": 0.10, "min_top_drifted": 1, "prediction": True},
    {"level": "low", "min_share_drifted": None, "min_top_drifted": None, "prediction": False},
)

# ---------------------------------------------------------------------------
# Batch scoring (issue 21): `python -m model score` and `POST /api/score/batch`
# ---------------------------------------------------------------------------
# Clients per Dask partition of a batch run: a partition of Kaggle-shaped data (about 160
# history rows a client) is ~150 MB in pandas, well inside a worker's memory, and a run of
# 356,255 clients has 72 of them, enough to keep every worker busy to the end.
BATCH_PARTITION_CLIENTS = int(os.environ.get("SCORING_BATCH_PARTITION_CLIENTS", "5000"))
# Applications per `POST /api/score/batch` request. 1,000 took 33 s in one request on the
# shared 2-core machine (load 6; docs/benchmarks.md), past gunicorn's default 30 s worker
# timeout: lower this, or raise `timeout` where gunicorn runs, before clients send full
# batches. Larger books go to the batch job (`python -m model score`).
API_BATCH_MAX = int(os.environ.get("SCORING_API_BATCH_MAX", "1000"))

# Below this many rows LightGBM predicts (and computes SHAP values) on one thread: starting
# its threads costs more than the work (one client's contributions took ~0.7 ms on one
# thread, ~16 ms on two busy cores). The scoring model, the blend and the explainer read it.
SINGLE_THREAD_ROWS = 64

# Static assets whose URL carries Dash's fingerprint (`?m=<modified>`) are cached this long
# (a changed file gets a new URL).
STATIC_MAX_AGE_SECONDS = 365 * 24 * 3600

# ---------------------------------------------------------------------------
# Monitoring over time (issue 22): `python -m model synth --months`, `python -m model monitor`
# ---------------------------------------------------------------------------
# A synthetic stream starts on this day; each client's label is learnt this many months after
# the application (a 6-month performance window, as `outcomes.csv`'s `observed_at`).
SYNTH_STREAM_START = "2025-01-01"
SYNTH_OUTCOME_DELAY_MONTHS = 6
# `--drift`: from `start_month` (1-based) the latent traits move towards risk by `first_shift`
# standard deviations, `monthly_step` more each month (lower external scores, more credit for
# the income). 0.45 sd moves a decile-binned PSI of an external score to about 0.2, past the
# 0.10 "watch" band from the first drifted month on a month of 500 clients.
SYNTH_DRIFT = {"start_month": 7, "first_shift": 0.45, "monthly_step": 0.1,
               "traits": ("EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3", "CREDIT_INCOME_RATIO")}
# Batch scoring's application date: this input column when present (`--date-column` names
# another), else the scoring day. Carried into the output as `application_date`.
APPLICATION_DATE_COLUMN = "APPLICATION_DATE"
# Where `python -m model monitor` writes (summary.json, one Evidently report per period) and
# the Evidently workspace holding one run per period (a local folder; any path).
def monitoring_dir() -> Path:
    """Read at each call, like `artifacts_dir`: tests and the app point it elsewhere."""
    return _path_from_env("SCORING_MONITORING", PROJECT_ROOT / "monitoring")


def evidently_workspace() -> Path:
    return _path_from_env("SCORING_EVIDENTLY_WORKSPACE", monitoring_dir() / "workspace")


# Population stability index bands, rules of thumb from credit-scoring practice (Siddiqi,
# "Credit Risk Scorecards", 2006), not statistical tests: under 0.10 stable, 0.10-0.25 watch,
# 0.25 and over a significant shift. A period's status is the worst band among the score and
# the model's MONITOR_TOP_INPUTS most influential inputs.
PSI_BANDS = {"watch": 0.10, "drift": 0.25}
MONITOR_TOP_INPUTS = 20
# Bins of the PSI: deciles of the training reference (fewer where values tie); an empty bin
# counts as this share so that the logarithm stays finite.
PSI_BINS = 10
PSI_EPSILON = 1e-4
# A period's outcomes have matured once this many months passed after its last day (the
# performance window of the default definition); before, the back-test says "immature".
OUTCOME_MATURITY_MONTHS = 6
# Back-test: score deciles, Jeffreys intervals at this level; the calibration test (a
# Hosmer-Lemeshow chi-square over the deciles) fails under this p-value.
BACKTEST_DECILES = 10
JEFFREYS_LEVEL = 0.95
CALIBRATION_P_VALUE = 0.05
# Clients below which a period's PSI is not judged: sampling noise alone gives a PSI of about
# (bins - 1) / n on average (0.09 at 100 clients, 0.02 at 500), so under 100 the 0.10 band
# would be crossed by chance.
MONITOR_MIN_CLIENTS = 100

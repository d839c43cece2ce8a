"""`python -m model <command>`: every pipeline stage from the command line.

Each stage imports its own module only when called, so `--help` stays instant
and a stage's heavy libraries are loaded only where they are needed.
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from model import config


SCHEDULER_HELP = ("transform the features partition by partition on Dask: 'local' (a local "
                  "cluster, one worker per core) or a scheduler address tcp://host:8786; "
                  "default: pandas in this process (small data)")


def _synth(args: argparse.Namespace) -> None:
    if args.months is not None:
        from model.synth.stream import generate_stream

        generate_stream(args.clients, args.months, args.seed, args.out, drift=args.drift,
                        start=args.start, file_format=args.format)
        return
    if args.drift:
        raise ValueError("synth: --drift needs --months (a stream over time)")
    from model.synth.generate import generate

    generate(n_clients=args.clients, seed=args.seed, out_dir=args.out, file_format=args.format)


def _features(args: argparse.Namespace) -> None:
    from model.features.build import build_feature_file

    build_feature_file(args.data, args.out, scheduler=args.scheduler)


def _train(args: argparse.Namespace) -> None:
    from model.training.train import train_from_file

    train_from_file(args.features, args.out, budget_seconds=args.budget, quick=args.quick)


def _drift(args: argparse.Namespace) -> None:
    from model.artifacts import set_folder
    from model.drift.report import drift_from_files

    model_dir = set_folder(args.model) if args.model is not None else None
    drift_from_files(args.reference, args.current, args.out, model_dir=model_dir)


def _build(args: argparse.Namespace) -> None:
    from model.pipeline import build

    build(args.data, args.out, quick=args.quick, budget_seconds=args.budget,
          scheduler=args.scheduler)


def _score(args: argparse.Namespace) -> None:
    from model.scoring.batch import score_file

    score_file(args.artifacts, args.data, args.out, file_format=args.format,
               counterfactual=args.counterfactual, scheduler=args.scheduler,
               workers=args.workers, memory_limit=args.memory_limit, table=args.table,
               partition_clients=args.partition_clients, work_dir=args.work_dir,
               date_column=args.date_column)


def _monitor(args: argparse.Namespace) -> None:
    from datetime import date

    from model.monitoring.run import monitor

    as_of = date.fromisoformat(args.as_of) if args.as_of else None
    monitor(args.artifacts, args.out, scores=args.scores, log_url=args.log, data=args.data,
            outcomes=args.outcomes, period=args.period, as_of=as_of, workspace=args.workspace,
            database=args.database, evidently=not args.no_evidently)


def _card(args: argparse.Namespace) -> None:
    from model.artifacts import set_folder
    from model.card import write_model_card

    write_model_card(set_folder(args.artifacts), args.out)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m model", description=__doc__)
    parser.add_argument("-q", "--quiet", action="store_true", help="log warnings only")
    commands = parser.add_subparsers(dest="command", required=True)

    synth = commands.add_parser("synth", help="write a synthetic data set in Kaggle's format")
    synth.add_argument("--clients", type=int, default=config.DEMO_CLIENTS,
                       help="number of training clients (test clients: about 16%% more)")
    synth.add_argument("--seed", type=int, default=config.SEED)
    synth.add_argument("--out", type=Path, default=config.SYNTH_DIR)
    synth.add_argument("--format", choices=("parquet", "csv"), default="parquet",
                       help="file format of the eight tables")
    synth.add_argument("--months", type=int, default=None,
                       help="write a stream instead: applications (application_test + "
                            "APPLICATION_DATE) over this many months, history, outcomes.csv")
    synth.add_argument("--drift", action="store_true",
                       help="with --months: a gradual drift from month "
                            f"{config.SYNTH_DRIFT['start_month']} (lower external scores, "
                            "more credit for the income)")
    synth.add_argument("--start", default=config.SYNTH_STREAM_START,
                       help="with --months: first day of the stream (YYYY-MM-DD)")
    synth.set_defaults(func=_synth)

    features = commands.add_parser("features", help="build the per-client feature file")
    features.add_argument("--data", type=Path, default=config.DATA_DIR)
    features.add_argument("--out", type=Path, required=True, help="output .parquet file")
    features.add_argument("--scheduler", default=None, help=SCHEDULER_HELP)
    features.set_defaults(func=_features)

    train = commands.add_parser("train", help="compare candidates and write the model")
    train.add_argument("--features", type=Path, required=True)
    train.add_argument("--out", type=Path, default=config.artifacts_dir())
    train.add_argument("--budget", type=float, default=600.0,
                       help="search budget in seconds, split over candidates")
    train.add_argument("--quick", action="store_true", help="small search (demo, tests)")
    train.set_defaults(func=_train)

    drift = commands.add_parser("drift", help="compare a batch of applications with the reference")
    drift.add_argument("--reference", type=Path, required=True)
    drift.add_argument("--current", type=Path, required=True)
    drift.add_argument("--out", type=Path, required=True)
    drift.add_argument("--model", type=Path, default=None,
                       help="artifact set or artifacts root: adds the model's top features and prediction drift")
    drift.set_defaults(func=_drift)

    build = commands.add_parser("build", help="features, training, SHAP and drift in one go")
    build.add_argument("--data", type=Path, default=config.DATA_DIR)
    build.add_argument("--out", type=Path, default=config.artifacts_dir())
    build.add_argument("--budget", type=float, default=600.0)
    build.add_argument("--quick", action="store_true")
    build.add_argument("--scheduler", default=None, help=SCHEDULER_HELP)
    build.set_defaults(func=_build)

    score = commands.add_parser("score", help="score a file of applications (batch, on Dask)")
    score.add_argument("--artifacts", type=Path, default=config.artifacts_dir(),
                       help="artifact set folder, or an artifacts root (its current set)")
    score.add_argument("--data", type=Path, required=True,
                       help="folder in Kaggle's layout (application_test, else application_train, "
                            "and any history table), or one application file")
    score.add_argument("--out", type=Path, required=True,
                       help="output file; bad rows go to <stem>.errors.csv beside it")
    score.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    score.add_argument("--counterfactual", action="store_true",
                       help="add the proposal (what would change a refusal): slower")
    score.add_argument("--scheduler", default=None,
                       help="Dask scheduler address (tcp://host:8786); default: env "
                            "SCORING_DASK_SCHEDULER, else a local cluster")
    score.add_argument("--workers", type=int, default=None,
                       help="local cluster's worker processes (default: one per core)")
    score.add_argument("--memory-limit", default=None,
                       help="local cluster's memory limit per worker, e.g. 4GiB")
    score.add_argument("--table", choices=("application_test", "application_train"), default=None,
                       help="schema of the application file (default: application_test if present)")
    score.add_argument("--partition-clients", type=int, default=config.BATCH_PARTITION_CLIENTS,
                       help="clients per Dask partition")
    score.add_argument("--work-dir", type=Path, default=None,
                       help="where the partitions are written during the run (on a cluster: a "
                            "folder every worker sees at the same path); default: beside --out")
    score.add_argument("--date-column", default=None,
                       help=f"column of the application date (default: {config.APPLICATION_DATE_COLUMN} "
                            "when present, else the scoring day); carried as application_date")
    score.set_defaults(func=_score)

    monitor = commands.add_parser(
        "monitor", help="drift and performance per period (PSI, rates, back-test of matured periods)")
    monitor.add_argument("--artifacts", type=Path, default=config.artifacts_dir(),
                         help="artifact set folder, or an artifacts root (its current set)")
    source = monitor.add_mutually_exclusive_group(required=True)
    source.add_argument("--scores", type=Path, nargs="+", help="output file(s) of `model score`")
    source.add_argument("--log", metavar="DATABASE_URL",
                        help="the app's decision log (scores shown, decisions, overrides)")
    monitor.add_argument("--data", type=Path, nargs="+", default=None,
                         help="the scored applications (folders as given to `model score`): "
                              "PSI of the model's top inputs and the share without history")
    monitor.add_argument("--outcomes", type=Path, default=None,
                         help="SK_ID_CURR, TARGET, observed_at: back-test of matured periods")
    monitor.add_argument("--period", choices=("month", "quarter", "week"), default="month")
    monitor.add_argument("--as-of", default=None,
                         help="day of the monitoring (YYYY-MM-DD): which outcomes are known and "
                              "which periods matured; default: the latest application date")
    monitor.add_argument("--out", type=Path, default=config.monitoring_dir())
    monitor.add_argument("--workspace", type=Path, default=None,
                         help="Evidently workspace folder (default: SCORING_EVIDENTLY_WORKSPACE, "
                              "else OUT's default/workspace)")
    monitor.add_argument("--database", default=None,
                         help="store one row per period in this database (the app's URL)")
    monitor.add_argument("--no-evidently", action="store_true",
                         help="skip the Evidently runs and pages (figures only)")
    monitor.set_defaults(func=_monitor)

    card = commands.add_parser("card", help="write the model card (Markdown) from an artifact set")
    card.add_argument("--artifacts", type=Path, default=config.artifacts_dir(),
                      help="artifact set folder, or an artifacts root (its current set)")
    card.add_argument("--out", type=Path, default=config.PROJECT_ROOT / "docs" / "model-card.md")
    card.set_defaults(func=_card)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    from model.artifacts import ArtifactError

    try:
        args.func(args)
    except (ValueError, FileNotFoundError, ArtifactError) as error:  # a message, not a traceback
        logging.getLogger("model").error("%s", error)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

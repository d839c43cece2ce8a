"""Stage times, peak memory and model figures of a whole `python -m model build`.

Runs the build under `/usr/bin/time -v` (or reads the log of a build already
run that way, `--log`), then prints one Markdown row: the stage times taken
from the build's own log lines ("<stage>: done in N s"), the total wall-clock
time, the peak RSS, and the chosen model's CV AUC and held-out cost from the
artifact set's `metrics.json`.

    python benchmarks/bench_build.py --data /work/synth_full --out DIR [--quick] [--budget 600]
    python benchmarks/bench_build.py --log BUILD.log --out DIR --mode quick   # parse only

Targets (issue 5): on full-scale synthetic data, a full build under 30 minutes
on 2 cores, a quick one under 5 minutes.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]

# Build stages as the pipeline logs them, and the column each one goes to.
STAGES = {"load": "load tables", "features": "features", "training": "training",
          "scoring": "scoring every client", "save": "saving features and clients",
          "SHAP": "global SHAP", "drift": "drift train vs test"}
COLUMNS = ("mode", "budget (s)", *[f"{name} (s)" for name in STAGES], "total (s)",
           "peak RSS (GB)", "chosen", "chosen CV AUC", "holdout AUC", "holdout cost / 1,000")


def stage_seconds(log_text: str) -> dict[str, float]:
    """Seconds of each pipeline stage, from its "model.pipeline: <stage>...: done in N s" line."""
    seconds = {}
    for name, label in STAGES.items():
        match = re.search(rf"model\.pipeline: {re.escape(label)}[^\n]*?: done in ([\d.]+) s",
                          log_text)
        if match:
            seconds[name] = float(match.group(1))
    return seconds


def time_v_figures(log_text: str) -> tuple[float | None, float | None]:
    """Wall-clock seconds and peak RSS in GB from `/usr/bin/time -v` output."""
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", log_text)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", log_text)
    total = None
    if wall:
        total = 0.0
        for part in wall.group(1).split(":"):
            total = total * 60 + float(part)
    return total, (int(rss.group(1)) / 1e6 if rss else None)


def row(mode: str, budget: str, log_text: str, out: Path) -> list[str]:
    seconds = stage_seconds(log_text)
    total, rss = time_v_figures(log_text)
    from model.artifacts import current_set

    metrics = json.loads((current_set(out) / "metrics.json").read_text())  # out: artifacts root
    chosen = metrics["candidates"][metrics["chosen"]]
    cells = [mode, budget]
    cells += [f"{seconds[name]:.0f}" if name in seconds else "—" for name in STAGES]
    cells += [f"{total:.0f}" if total is not None else "—",
              f"{rss:.1f}" if rss is not None else "—", metrics["chosen"],
              f"{chosen['cv']['auc']:.4f}", f"{chosen['holdout']['auc']:.4f}",
              f"{chosen['holdout']['cost_per_1000']:.0f}"]
    return cells


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--out", type=Path, required=True, help="artifacts root of the build")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--budget", type=float, default=600.0)
    parser.add_argument("--log", type=Path, default=None,
                        help="parse this log of a build run under /usr/bin/time -v instead")
    parser.add_argument("--mode", default=None, help="mode label for --log")
    args = parser.parse_args(argv)

    if args.log is not None:
        log_text = args.log.read_text()
        budget = re.search(r"--budget (\d+)", log_text)
        mode = args.mode or ("quick" if "--quick" in log_text else "full")
        cells = row(mode, budget.group(1) if budget else "600", log_text, args.out)
    else:
        if args.data is None:
            parser.error("--data is required unless --log is given")
        command = ["/usr/bin/time", "-v", sys.executable, "-m", "model", "build", "--data",
                   str(args.data), "--out", str(args.out), "--budget", f"{args.budget:.0f}"]
        command += ["--quick"] if args.quick else []
        done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True)
        log_text = done.stdout + done.stderr
        if done.returncode != 0:
            sys.stderr.write(log_text[-4000:])
            return done.returncode
        cells = row("quick" if args.quick else "full", f"{args.budget:.0f}", log_text, args.out)
    print("| " + " | ".join(COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    print("| " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

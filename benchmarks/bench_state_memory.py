"""Peak resident memory of a fresh process loading an artifact set (what a worker pays at start).

    python benchmarks/bench_state_memory.py --artifacts /work/bench/artifacts [--repeat 3]

Each measurement runs in its own subprocess so that its peak (`VmHWM` from /proc, not
`ru_maxrss`, which Linux carries over from the parent across fork + exec) is its own:

- `load_state`: import `webapp.serving` and the explainer module, then `load_state(folder)`;
- `import app + get_state`: what a gunicorn worker does (`import app`, then the state the
  first request, or start-up, loads).

The Azure B1 plan has 1.75 GB; the target is a loading peak under 1.0 GB. Prints a
Markdown table.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MB = 1024 * 1024


def _status_mb(field: str) -> float:
    """A memory line of /proc/self/status (VmRSS, VmHWM) in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def _reset_peak() -> None:
    """Start the peak count from the current RSS (Linux >= 4.0: write 5 to clear_refs)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def run_one(mode: str, folder: Path) -> dict:
    sys.path.insert(0, str(ROOT))
    os.environ["SCORING_ARTIFACTS"] = str(folder)
    if mode == "state":
        import model.explain.local  # noqa: F401  (the explainer load_state builds)
        from webapp.serving import load_state

        before = _status_mb("VmRSS")
        _reset_peak()
        started = time.perf_counter()
        state = load_state(folder)
    else:
        before = _status_mb("VmRSS")
        _reset_peak()
        started = time.perf_counter()
        import app  # noqa: F401
        from webapp.serving import get_state

        state = get_state()
    seconds = time.perf_counter() - started
    return {"mode": mode, "clients": len(state.clients), "features": len(state.feature_names),
            "before_mb": before, "peak_mb": _status_mb("VmHWM"), "after_mb": _status_mb("VmRSS"),
            "seconds": seconds}


LABELS = {"state": "`load_state` (after importing webapp.serving)",
          "app": "`import app` + `get_state()` (a gunicorn worker)"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--artifacts", type=Path, default=Path("/work/bench/artifacts"))
    parser.add_argument("--modes", nargs="+", choices=sorted(LABELS), default=["state", "app"])
    parser.add_argument("--repeat", type=int, default=1, help="runs per mode (the table shows the highest peak)")
    parser.add_argument("--one", choices=sorted(LABELS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    folder = args.artifacts.resolve()
    if args.one:
        print(json.dumps(run_one(args.one, folder)))
        return
    if not (folder / "manifest.json").is_file():
        raise SystemExit(f"no artifact set in {folder}: build one with `python -m model build`")
    lines = ["| process | clients | features | RSS before (MB) | peak RSS while loading (MB) "
             "| RSS after (MB) | seconds | peak < 1,000 MB |", "|---|---:|---:|---:|---:|---:|---:|:-:|"]
    for mode in args.modes:
        runs = []
        for _ in range(args.repeat):
            result = subprocess.run([sys.executable, __file__, "--one", mode, "--artifacts", str(folder)],
                                    check=True, capture_output=True, text=True, cwd=ROOT)
            runs.append(json.loads(result.stdout.strip().splitlines()[-1]))
        r = max(runs, key=lambda run: run["peak_mb"])
        lines.append(f"| {LABELS[mode]} | {r['clients']:,} | {r['features']:,} | {r['before_mb']:,.0f} | "
                     f"{r['peak_mb']:,.0f} | {r['after_mb']:,.0f} | {r['seconds']:.1f} | "
                     f"{'✓' if r['peak_mb'] < 1000 else '✗'} |")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

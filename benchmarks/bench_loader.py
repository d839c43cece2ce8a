"""Loading the eight tables with `model.data.loader.load_tables`: rows, seconds, peak memory.

    python benchmarks/bench_loader.py [DATA_DIR ...]   (default: /work/synth_full)

Each folder is loaded in its own subprocess so the peak resident memory is its
own; the in-memory size after the loader's shrinking (float32, small ints,
categoricals) is reported too. Prints a Markdown table.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DIR = Path("/work/synth_full")


def run_one(data_dir: Path) -> dict:
    sys.path.insert(0, str(ROOT))
    from model.data.loader import load_tables

    started = time.perf_counter()
    tables = load_tables(data_dir)
    seconds = time.perf_counter() - started
    return {
        "data": str(data_dir),
        "clients": len(tables["application_train"]) + len(tables["application_test"]),
        "rows": sum(len(t) for t in tables.values()),
        "seconds": seconds,
        "frames_mb": sum(t.memory_usage(deep=True).sum() for t in tables.values()) / 2**20,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", type=Path, nargs="*", default=[DEFAULT_DIR])
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.data[0])))
        return
    lines = ["| data | clients (train + test) | rows (8 tables) | seconds | DataFrames in memory (MB) "
             "| peak RSS (MB) |", "|---|---:|---:|---:|---:|---:|"]
    for data_dir in args.data:
        result = subprocess.run([sys.executable, __file__, "--one", str(data_dir)],
                                check=True, capture_output=True, text=True, cwd=ROOT)
        r = json.loads(result.stdout.strip().splitlines()[-1])
        lines.append(f"| `{r['data']}` | {r['clients']:,} | {r['rows']:,} | {r['seconds']:.1f} | "
                     f"{r['frames_mb']:,.0f} | {r['peak_rss_mb']:,.0f} |")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

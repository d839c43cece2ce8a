"""Synthetic generator: rows, seconds and peak memory per number of clients.

    python benchmarks/bench_synth.py [--sizes 10000 100000 307511] [--seed 42] [--keep-dir DIR]

Each size runs in its own subprocess so that the peak resident memory
(`ru_maxrss`) is that size's alone. Outputs go to a temporary folder and are
deleted, except the largest size when `--keep-dir` is given (kept there, e.g.
the full-scale data set other benchmarks read). Prints a Markdown table.
"""
from __future__ import annotations

import argparse
import json
import logging
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SIZES = (10_000, 100_000, 307_511)


def run_one(clients: int, seed: int, out: Path) -> dict:
    """Generate in this process and report rows, seconds and this process's peak RSS."""
    sys.path.insert(0, str(ROOT))
    from model.synth.generate import generate

    started = time.perf_counter()
    rows = generate(clients, seed, out)
    seconds = time.perf_counter() - started
    size = sum(p.stat().st_size for p in out.iterdir())
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes
    return {"clients": clients, "rows": sum(rows.values()), "seconds": seconds,
            "peak_rss_mb": peak_mb, "disk_mb": size / 2**20}


def measure(clients: int, seed: int, out: Path) -> dict:
    command = [sys.executable, __file__, "--one", str(clients), "--seed", str(seed), "--out", str(out)]
    result = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep-dir", type=Path, default=None, help="keep the largest size's files here")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        logging.basicConfig(level=logging.WARNING)
        print(json.dumps(run_one(args.one, args.seed, args.out)))
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    largest = max(args.sizes)
    lines = ["| clients | rows (8 files) | seconds | peak RSS (MB) | parquet on disk (MB) |",
             "|---:|---:|---:|---:|---:|"]
    with tempfile.TemporaryDirectory(prefix="bench-synth-") as scratch:
        for clients in args.sizes:
            keep = args.keep_dir is not None and clients == largest
            out = args.keep_dir if keep else Path(scratch) / f"clients_{clients}"
            logging.info("generating %d clients into %s", clients, out)
            r = measure(clients, args.seed, out)
            if not keep:
                shutil.rmtree(out, ignore_errors=True)
            lines.append(f"| {r['clients']:,} | {r['rows']:,} | {r['seconds']:.1f} | "
                         f"{r['peak_rss_mb']:,.0f} | {r['disk_mb']:,.0f} |")
            logging.info("%s", lines[-1])
    print("\n".join(lines))


if __name__ == "__main__":
    main()

"""Time and memory of `python -m model features` at 10 k, 100 k clients and full scale.

    python benchmarks/bench_features.py --source /work/synth_full [--sizes 10000 100000 full]

Smaller sizes are the first N training clients of the source folder (and the
same share of its test clients) with all their history rows, written once to
`--work`. Each size then runs `build_feature_file` (load + fit + transform +
write, exactly the CLI) in a fresh process, so that its peak resident memory is
its own. Prints a Markdown table.
"""
from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from model.data.loader import find_table_file, load_table  # noqa: E402
from model.data.schema import SCHEMAS, TABLE_NAMES  # noqa: E402

log = logging.getLogger("bench_features")


def subset(source: Path, clients: int, out_dir: Path) -> Path:
    """First `clients` training clients of `source` (+ the same share of test clients)."""
    if (out_dir / "READY").is_file():
        return out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    train = load_table(source, "application_train")
    test = load_table(source, "application_test")
    share = clients / len(train)
    kept = {"application_train": train.iloc[:clients],
            "application_test": test.iloc[: round(len(test) * share)]}
    ids = pd.concat([kept["application_train"]["SK_ID_CURR"],
                     kept["application_test"]["SK_ID_CURR"]])
    for name in TABLE_NAMES:
        if name in kept or find_table_file(source, name) is None:
            continue
        frame = load_table(source, name)
        if "SK_ID_CURR" in SCHEMAS[name].columns:
            frame = frame[frame["SK_ID_CURR"].isin(ids)]
        else:  # bureau_balance: rows of the kept bureau credits
            frame = frame[frame["SK_ID_BUREAU"].isin(kept["bureau"]["SK_ID_BUREAU"])]
        kept[name] = frame
    for name, frame in kept.items():
        frame.to_parquet(out_dir / f"{name}.parquet", index=False)
    (out_dir / "READY").touch()
    return out_dir


def input_rows(data_dir: Path) -> int | None:
    """Rows of all the tables of a folder (parquet metadata, CSV lines); None for zips."""
    total = 0
    for name in TABLE_NAMES:
        path = find_table_file(data_dir, name)
        if path is None:
            continue
        if path.suffix == ".parquet":
            total += pq.ParquetFile(path).metadata.num_rows
        elif path.suffix == ".csv":
            with path.open("rb") as handle:
                chunks = iter(lambda: handle.read(1 << 24), b"")
                total += sum(chunk.count(b"\n") for chunk in chunks) - 1  # minus the header
        else:
            return None
    return total


def peak_rss_kib() -> int:
    """Peak resident memory of this process (VmHWM). Not `ru_maxrss`: Linux carries the
    parent's peak into a forked-then-exec'd child, which would inflate small sizes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("VmHWM not found in /proc/self/status (Linux only)")


def measure_one(data_dir: Path, out_file: Path) -> dict:
    """Run the feature stage once in this process; figures as a dict."""
    from model.features.build import build_feature_file, load_feature_file

    started = time.perf_counter()
    build_feature_file(data_dir, out_file)
    seconds = time.perf_counter() - started
    features, target = load_feature_file(out_file)
    return {
        "train_clients": int(target.notna().sum()),
        "clients": len(features),
        "rows": input_rows(data_dir),
        "features": features.shape[1],
        "seconds": round(seconds, 1),
        "peak_rss_gib": round(peak_rss_kib() / 2**20, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=Path("/work/synth_full"))
    parser.add_argument("--sizes", nargs="+", default=["10000", "100000", "full"])
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench_features"))
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)  # child mode: data folder
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s",
                        stream=sys.stderr)
    if args.one:
        print(json.dumps(measure_one(args.one, args.work / f"{args.one.name}.parquet")))
        return
    results = []
    for size in args.sizes:
        data = args.source if size == "full" else subset(args.source, int(size),
                                                         args.work / f"clients_{size}")
        log.info("size %s: %s", size, data)
        child = subprocess.run(
            [sys.executable, __file__, "--one", str(data), "--work", str(args.work)],
            check=True, stdout=subprocess.PIPE, text=True)
        results.append(json.loads(child.stdout.strip().splitlines()[-1]))
    print("| training clients | clients (train + test) | input rows | features "
          "| seconds (load + fit + transform + write) | peak RSS (GiB) |")
    print("|---:|---:|---:|---:|---:|---:|")
    for r in results:
        rows = f"{r['rows']:,}" if r["rows"] is not None else "n/a"
        print(f"| {r['train_clients']:,} | {r['clients']:,} | {rows} | {r['features']} "
              f"| {r['seconds']} | {r['peak_rss_gib']} |")


if __name__ == "__main__":
    main()

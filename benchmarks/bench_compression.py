"""What a browser with an empty cache downloads to open a client file, with and without compression.

    python benchmarks/bench_compression.py --artifacts /work/bench/artifacts --capture /work/bench/capture.json

Starts the same gunicorn as `bench_load.py` (1 worker, 127.0.0.1), takes the page's requests
recorded from Chromium by `bench_load.py --capture` (the page, the CSS, every script Dash
loads, including the ones it loads later such as plotly.min.js, the layout and the
dependencies), and fetches each one `--repeat` times sending Chromium's
`Accept-Encoding: gzip, deflate, br, zstd`, then `identity` (what the server sends when it
does not compress). Bytes are those on the wire; the time is the median of the
repeats to the last byte over loopback (so it includes the server's compression work, but
no network); the download time on a 20 Mbit/s link is computed from the bytes. Prints a
Markdown table.
"""
from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_load import CALLBACK_PATH, parse_headers, start_gunicorn, stop  # noqa: E402

CHROMIUM = "gzip, deflate, br, zstd"
LINK_MBIT = 20.0


def fetch(host: str, port: int, path: str, encoding: str, headers: dict[str, str]) -> tuple[int, str, float]:
    """(bytes on the wire, Content-Encoding, ms to the last byte) on a fresh connection."""
    connection = http.client.HTTPConnection(host, port, timeout=60)
    started = time.perf_counter()
    connection.request("GET", path, headers={**headers, "Accept-Encoding": encoding})
    response = connection.getresponse()
    data = response.read()
    ms = (time.perf_counter() - started) * 1000
    connection.close()
    if response.status != 200:
        raise SystemExit(f"GET {path}: HTTP {response.status}")
    return len(data), response.getheader("Content-Encoding", "none"), ms


def label(path: str) -> str:
    name = path.split("?")[0]
    if name.startswith("/client/"):
        return "client page (HTML)"
    return name.rsplit("/", 1)[-1] if "component-suites" in name or "assets" in name else name


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--artifacts", type=Path, default=Path("/work/bench/artifacts"))
    parser.add_argument("--capture", type=Path, required=True, help="JSON written by bench_load.py --capture")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--header", action="append", default=[], help="'Name: value' sent with every request")
    parser.add_argument("--log", type=Path, default=Path("/tmp/bench_compression_gunicorn.log"))
    args = parser.parse_args(argv)
    headers = parse_headers(args.header)
    paths = []
    for item in json.loads(args.capture.read_text())["page"]:
        if item["method"] == "GET" and not item["path"].startswith(CALLBACK_PATH) and item["path"] not in paths:
            paths.append(item["path"])
    process, url = start_gunicorn(args.artifacts.resolve(), 4, {"SCORING_AUTH": "off"}, args.log)
    host, port = url.removeprefix("http://").split(":")
    rows, totals = [], {CHROMIUM: [0, 0.0], "identity": [0, 0.0]}
    try:
        for path in paths:
            cells = []
            for encoding in (CHROMIUM, "identity"):
                runs = [fetch(host, int(port), path, encoding, headers) for _ in range(args.repeat)]
                size, used, ms = runs[-1][0], runs[-1][1], statistics.median(r[2] for r in runs)
                totals[encoding][0] += size
                totals[encoding][1] += ms
                cells.append((size, used, ms))
            rows.append((label(path), cells))
    finally:
        stop(process)

    def link_ms(size: int) -> float:
        return size * 8 / (LINK_MBIT * 1e6) * 1000

    print(f"\n{len(paths)} requests of a client page on an empty cache; median of {args.repeat} fetches; "
          f"loopback, gunicorn 1 worker.\n")
    print("| file | uncompressed KB | compressed KB (encoding) | ratio | server ms uncompressed → compressed "
          f"| download at {LINK_MBIT:g} Mbit/s, ms: uncompressed → compressed |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, ((size, used, ms), (raw, _, raw_ms)) in sorted(rows, key=lambda r: -r[1][1][0]):
        print(f"| {name} | {raw / 1024:,.1f} | {size / 1024:,.1f} ({used}) | {raw / max(size, 1):.1f} | "
              f"{raw_ms:.1f} → {ms:.1f} | {link_ms(raw):,.0f} → {link_ms(size):,.0f} |")
    (size, ms), (raw, raw_ms) = totals[CHROMIUM], totals["identity"]
    print(f"| **total** | {raw / 1024:,.1f} | {size / 1024:,.1f} | {raw / max(size, 1):.1f} | "
          f"{raw_ms:.0f} → {ms:.0f} | {link_ms(raw):,.0f} → {link_ms(size):,.0f} |")


if __name__ == "__main__":
    main()

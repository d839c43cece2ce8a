"""Server-side latency and memory of the dashboard with a given artifact set.

What an advisor feels is the time between a click and the answer; the part the
server controls is the callback: read one feature row, score, explain, build
the figures, encode the JSON. This script calls exactly the functions the
callbacks call (page layouts the router renders on a client switch, the
what-if callback, the Compare screen's renders), in-process, for random
clients with a fixed seed, and times each call including Dash's JSON encoding.
It also reports the resident memory of the process after loading the
artifacts and after the calls, and optionally of a gunicorn worker serving
the same artifacts.

    SCORING_AUTH=off SCORING_ARTIFACTS=/path/to/artifacts python benchmarks/bench_app.py --clients 200 [--gunicorn]

Prints a Markdown table (targets: p95 < 150 ms per client switch or what-if
edit, RSS < 1.2 GB with the full-scale 307,511-client artifacts).
"""
from __future__ import annotations

import argparse
import logging
import os
import platform
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import numpy as np
import psutil

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

log = logging.getLogger("bench_app")
MB = 1024 * 1024
P95_TARGET_MS = 150.0
SCALE = "clipped"  # the Compare screen's default axis scale
RSS_TARGET_MB = 1.2 * 1024
# The what-if form field edited in the benchmark (clients.WHATIF_FIELDS).
WHATIF_FIELD = "income"


def rss_mb(process: psutil.Process | None = None) -> float:
    return (process or psutil.Process()).memory_info().rss / MB


def pss_mb(process: psutil.Process | None = None) -> float | None:
    """Proportional set size: shared (memory-mapped) pages divided among the processes using them."""
    try:
        return (process or psutil.Process()).memory_full_info().pss / MB
    except (AttributeError, psutil.AccessDenied):
        return None


def _unwrap(function: Callable) -> Callable:
    """The plain function under Dash's `@callback` wrapper (which needs a request context)."""
    return getattr(function, "__wrapped__", function)


def timed(function: Callable[[], object], encode: Callable[[object], str]) -> float:
    """Milliseconds for one call plus the JSON encoding Dash applies to its result."""
    started = time.perf_counter()
    encode(function())
    return (time.perf_counter() - started) * 1000


def scenarios(sample: list[int], lang: str) -> dict[str, Callable[[int], Callable[[], object]]]:
    """name -> (client id -> zero-argument call), each being what one callback runs."""
    from webapp.services import clients
    from webapp.pages import client, compare, drift, model_card, whatif, why
    from webapp.serving import get_state

    simulate = _unwrap(whatif.simulate)
    api = _api_client()

    def whatif_edit(client_id: int) -> Callable[[], object]:
        original = clients.whatif_original(client_id)
        if WHATIF_FIELD not in original:
            raise KeyError(f"what-if field {WHATIF_FIELD!r} not in the form ({sorted(original)})")
        names = list(original)
        income = original[WHATIF_FIELD]
        edited = dict(original)
        edited[WHATIF_FIELD] = round(float(income) * 1.2) if income not in (None, "") else 150000
        stored = {"client_id": str(client_id), "original": original, "probability": None}
        field_ids = [{"type": "whatif-field", "field": n} for n in names]
        values = [edited[n] for n in names]
        return lambda: simulate(values, field_ids, stored, lang)

    def distribution(client_id: int, group: str) -> Callable[[], object]:
        feature = _defaults(client_id, lang)[0]  # chosen before the clock starts
        return lambda: compare.render_distribution(client_id, feature, group, SCALE, lang)

    def scatter(client_id: int) -> Callable[[], object]:
        x, y = _defaults(client_id, lang)
        return lambda: compare.render_scatter(client_id, x, y, "all", SCALE, lang)

    state = get_state()

    def predict_and_shap(client_id: int) -> Callable[[], object]:
        row = state.feature_row(client_id)  # read before the clock starts
        return lambda: (state.scorer.model.predict_proba(row), state.explainer.shap_values(row))

    return {
        REFERENCE: predict_and_shap,
        "api: GET /api/clients/<id>": lambda c: lambda: _get(api, f"/api/clients/{c}"),
        "client switch: client file page": lambda c: lambda: client.layout(client_id=str(c), lang=lang),
        "client switch: why-this-score page": lambda c: lambda: why.layout(client_id=str(c), lang=lang),
        "what-if edit (income +20 %)": whatif_edit,
        "compare: distribution, all clients": lambda c: distribution(c, "all"),
        "compare: distribution, similar clients": lambda c: distribution(c, "similar"),
        "compare: distribution, nearest neighbours": lambda c: distribution(c, "neighbours"),
        "compare: scatter (3,000 points)": lambda c: scatter(c),
        # a new applicant (the client's own application typed in): score, reasons, counterfactual
        "api: POST /api/score (new applicant)": lambda c: (
            lambda fields: lambda: _post_score(api, fields))(_applicant(c)),
        # the same for every client: timed as often, for comparison
        "model page (whole screen)": lambda c: lambda: model_card.layout(lang=lang),
        "drift page (whole screen)": lambda c: lambda: drift.layout(lang=lang),
    }


def _defaults(client_id: int, lang: str) -> tuple[str, str]:
    """The variables the Compare screen opens with (it refuses a missing one)."""
    from webapp.services import population

    setup = population.compare_setup(client_id, lang)
    return setup.first, setup.second


def _api_client():
    """A test client of the app's Flask server (the API routes, sign-in as configured)."""
    import app

    return app.server.test_client()


def _applicant(client_id: int) -> dict:
    """The new-applicant fields of a stored client, as a caller of the API would send them."""
    from webapp.ui.fields import NEW_APPLICANT_FIELDS, fields_from_raw_row
    from webapp.serving import get_state

    fields = fields_from_raw_row(get_state().applications.loc[client_id], NEW_APPLICANT_FIELDS)
    return {name: value for name, value in fields.items() if value not in (None, "")}


def _get(api, path: str) -> str:
    answer = api.get(path)
    if answer.status_code != 200:
        raise RuntimeError(f"GET {path} answered {answer.status_code} (run with SCORING_AUTH=off)")
    return answer.get_data(as_text=True)


def _post_score(api, fields: dict) -> str:
    answer = api.post("/api/score", json=fields)
    if answer.status_code != 200:  # a refused request would time the error path
        raise RuntimeError(f"POST /api/score answered {answer.status_code}: {answer.get_data()[:300]!r}"
                           " (run with SCORING_AUTH=off)")
    return answer.get_data(as_text=True)


# The physical limit of scoring one client, timed in the same run: the model's probability
# and the SHAP values of one feature row (what a stored client no longer needs at all).
REFERENCE = "reference: predict + SHAP of one row"


def percentile_row(name: str, times: list[float], reference_p50: float) -> str:
    values = np.asarray(times)
    p50, p95 = np.percentile(values, 50), np.percentile(values, 95)
    verdict = "✓" if p95 < P95_TARGET_MS else "✗"
    return (f"| {name} | {len(values)} | {p50:.1f} | {p95:.1f} | {values.max():.1f} | "
            f"{p50 / reference_p50:.1f}x | {verdict} |")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn_memory(artifacts: Path, sample: list[int], timeout: float = 300.0) -> dict[str, float]:
    """RSS/PSS of a 1-worker gunicorn serving the artifacts, after startup and after API calls."""
    port = _free_port()
    env = {**os.environ, "SCORING_ARTIFACTS": str(artifacts)}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "app:server", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--threads", "2", "--timeout", "300"],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError("gunicorn exited before answering /api/health")
            try:
                with urllib.request.urlopen(url + "/api/health", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s") from None
                time.sleep(1.0)
        master = psutil.Process(process.pid)
        worker = master.children()[0]
        result = {"worker_rss_start": rss_mb(worker), "worker_pss_start": pss_mb(worker) or float("nan"),
                  "master_rss": rss_mb(master)}
        for client_id in sample:
            with urllib.request.urlopen(f"{url}/api/clients/{client_id}", timeout=30) as response:
                response.read()
        result["worker_rss_after"] = rss_mb(worker)
        result["worker_pss_after"] = pss_mb(worker) or float("nan")
        return result
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--artifacts", type=Path, default=None,
                        help="artifacts root (default: $SCORING_ARTIFACTS or artifacts/)")
    parser.add_argument("--clients", type=int, default=200, help="random clients per scenario")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--lang", default="fr")
    parser.add_argument("--gunicorn", action="store_true", help="also measure a gunicorn worker")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.artifacts is not None:
        os.environ["SCORING_ARTIFACTS"] = str(args.artifacts.resolve())

    from model import config

    artifacts = config.artifacts_dir()
    from model.artifacts import ArtifactError, current_set

    try:
        current_set(artifacts)
    except ArtifactError as error:
        raise SystemExit(str(error)) from None
    rss_start = rss_mb()
    started = time.perf_counter()
    import app  # noqa: F401  (builds the Dash app and registers the pages, as gunicorn does)
    from dash._utils import to_json

    from webapp.serving import get_state

    state = get_state()
    load_seconds = time.perf_counter() - started
    rss_loaded, pss_loaded = rss_mb(), pss_mb()
    n_clients, n_train = len(state.clients), int((state.clients["set"] == "train").sum())
    log.info("loaded %d clients in %.1f s, RSS %.0f MB", n_clients, load_seconds, rss_loaded)

    rng = np.random.default_rng(args.seed)
    sample = [int(i) for i in rng.choice(state.clients.index.to_numpy(), size=args.clients,
                                         replace=False)]
    rows, reference_p50 = [], None
    for name, make in scenarios(sample, args.lang).items():
        for client_id in sample[:3]:  # warm-up: first-call imports and caches
            timed(make(client_id), to_json if name != REFERENCE else len)
        times = [timed(make(client_id), to_json if name != REFERENCE else len)
                 for client_id in sample]
        reference_p50 = reference_p50 or float(np.percentile(times, 50))
        rows.append(percentile_row(name, times, reference_p50))
        log.info("%s: p95 %.1f ms", name, np.percentile(times, 95))
    rss_after, pss_after = rss_mb(), pss_mb()

    print(f"\nArtifacts: `{artifacts}` — {n_clients:,} clients ({n_train:,} train), "
          f"{len(state.feature_names):,} features; Python {platform.python_version()}, "
          f"{psutil.cpu_count()} CPUs, {args.clients} random clients (seed {args.seed}), "
          f"language {args.lang}.\n")
    print(f"Load average at the end: {' / '.join(f'{x:.1f}' for x in os.getloadavg())}.\n")
    print("| call (what the callback runs, + JSON encoding) | clients | p50 ms | p95 ms | max ms "
          "| p50 / reference | p95 < 150 ms |")
    print("|---|---:|---:|---:|---:|---:|:-:|")
    print("\n".join(rows))
    print("\n| memory | MB | target < 1,229 MB |")
    print("|---|---:|:-:|")

    def memory_row(label: str, value: float | None) -> str:
        if value is None or not np.isfinite(value):
            return f"| {label} | n/a | |"
        return f"| {label} | {value:,.0f} | {'✓' if value < RSS_TARGET_MB else '✗'} |"

    print(memory_row("python process before loading (interpreter + imports)", rss_start))
    print(memory_row(f"RSS after loading the artifacts ({load_seconds:.1f} s)", rss_loaded))
    print(memory_row("PSS after loading", pss_loaded))
    print(memory_row("RSS after the timed calls", rss_after))
    print(memory_row("PSS after the timed calls", pss_after))
    if args.gunicorn:
        memory = gunicorn_memory(artifacts, sample[:50])
        print(memory_row("gunicorn worker RSS after startup", memory["worker_rss_start"]))
        print(memory_row("gunicorn worker PSS after startup", memory["worker_pss_start"]))
        print(memory_row("gunicorn worker RSS after 50 API client calls", memory["worker_rss_after"]))
        print(memory_row("gunicorn worker PSS after 50 API client calls", memory["worker_pss_after"]))
        print(memory_row("gunicorn master RSS", memory["master_rss"]))


if __name__ == "__main__":
    main()

"""Load test: a real gunicorn (as `startup.sh` runs it) under 1 to 64 concurrent users.

    python benchmarks/bench_load.py --artifacts /work/bench/artifacts \
        [--users 1 8 32 64] [--requests 3000] [--seconds 60] [--think 0] [--threads 4]

What a user does is taken from a real browser, not guessed: headless Chromium opens a client
file, then types another client's ID and presses "Ouvrir"; every request it sends is recorded
(the page, `/_dash-layout`, `/_dash-dependencies` and each `/_dash-update-component` payload).
Each simulated user then repeats, until the request or time budget of the level is spent:

- page load (15 %): the page, layout and dependencies, then the page's callbacks, for a
  random client (static JS/CSS excluded: Dash fingerprints them and the browser caches them);
- client switch (45 %): the recorded switch callbacks with the two client IDs replaced by the
  user's current client and a random other one; a switch none of whose answers names the
  new client counts as an error;
- `GET /api/clients/<id>` (25 %) and `POST /api/score` with a random valid application (15 %).

Any answer with a status of 300 or more (a redirect: to the sign-in page, say; the captured
requests never redirect), a timeout (60 s) or a broken connection is an error.
Users are closed-loop threads, each with its own keep-alive connection, waiting `--think`
seconds on average (exponential) between actions. Server and load generator share the machine's cores.
RSS and PSS of the master and the workers (psutil) are read before the first level and after
each one. Prints Markdown tables. Sign-in: `--auth off` (default) starts the server with
`SCORING_AUTH=off`; `--auth signed-in` turns the app's own sign-in on (a fresh database, one
advisor account per user, each signed in through `/login` with its CSRF token before the
levels, every request then carrying its session: the access checks and session reads are
paid as in production; it replays a `--capture` recorded before); `--auth keep` leaves the
environment as it is, and `--header "X-API-Key: ..."` adds a header to every request.
The server listens on 127.0.0.1 only.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
MB = 1024 * 1024
ACTIONS = (("page load", 0.15), ("client switch", 0.45), ("api client", 0.25), ("api score", 0.15))
SWITCH_TARGET_MS = 300.0
STATIC = re.compile(r"^/(_dash-component-suites|assets|_favicon|favicon)")
CALLBACK_PATH = "/_dash-update-component"


@dataclass(frozen=True)
class Recorded:
    """One request the browser sent: method, path (with query) and body."""
    method: str
    path: str
    body: str | None = None


@dataclass
class Stats:
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    examples: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, ms: float, error: str | None = None) -> None:
        with self.lock:
            self.times[kind].append(ms)
            if error:
                self.errors[kind] += 1
                if len(self.examples) < 5:
                    self.examples.append(f"{kind}: {error}")


# --- the server --------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(artifacts: Path, threads: int, env: dict[str, str], log_path: Path,
                   timeout: float = 600.0, workers: int = 1) -> tuple[subprocess.Popen, str]:
    """`gunicorn app:server` with startup.sh's worker model (a worker per core, threads), on
    loopback; gunicorn.conf.py (read from the project folder) loads the set in the master,
    which forks the workers."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "app:server", "--bind", f"127.0.0.1:{port}",
               "--workers", str(workers), "--threads", str(threads), "--timeout", "600",
               "--log-level", "warning"]
    log = log_path.open("w")
    process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                               env={**os.environ, **env, "SCORING_ARTIFACTS": str(artifacts)})
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited ({process.returncode}); see {log_path}")
        # One health request at a time: the first one loads the state, a second would load it again.
        wait = max(5.0, deadline - time.monotonic())
        try:
            with urllib.request.urlopen(url + "/api/health", timeout=wait) as response:
                if response.status == 200:
                    return process, url
        except OSError:
            pass
        if time.monotonic() > deadline:
            stop(process)
            raise SystemExit(f"gunicorn did not answer /api/health within {timeout:.0f} s; see {log_path}")
        time.sleep(1.0)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def workers_of(process: subprocess.Popen, expected: int, timeout: float = 600.0
               ) -> list[psutil.Process]:
    """gunicorn's worker processes (the master's children), once each has loaded the set."""
    deadline = time.monotonic() + timeout
    while True:
        children = psutil.Process(process.pid).children()
        if len(children) >= expected or time.monotonic() > deadline:
            break
        time.sleep(1.0)
    if not children:
        raise SystemExit("gunicorn has no worker process")
    return children


def pss_mb(proc: psutil.Process) -> float:
    """Proportional set size: a page shared by n processes counts 1/n in each (the honest sum
    of several workers' memory)."""
    try:
        return proc.memory_full_info().pss / MB
    except (psutil.AccessDenied, AttributeError):
        return float("nan")


def peak_rss_mb(proc: psutil.Process) -> float:
    """The process's highest RSS since it started (`VmHWM`): the worker's loading peak."""
    for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(proc: psutil.Process) -> float:
    times = proc.cpu_times()
    return times.user + times.system


# --- what a browser sends ----------------------------------------------------------------------

def capture_browser(url: str, first: int, second: int, headers: dict[str, str]) -> dict[str, list[Recorded]]:
    """The requests headless Chromium sends to open client `first`, then switch to `second`."""
    from selenium import webdriver
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    for binary in ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"):
        if os.path.exists(binary):
            options.binary_location = binary
            break
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,1000"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(options=options)
    try:
        if headers:
            driver.execute_cdp_cmd("Network.enable", {})
            driver.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": headers})
        driver.get(f"{url}/client/{first}")
        page = _requests_until_idle(driver, url)
        box = WebDriverWait(driver, 30).until(lambda d: d.find_element(By.ID, "client-id-input"))
        box.clear()
        box.send_keys(str(second))
        driver.find_element(By.ID, "client-id-go").click()
        switch = _requests_until_idle(driver, url)
    finally:
        driver.quit()
    routed = [r for r in switch if r.method == "POST" and str(second) in (r.body or "")]
    if not routed:
        raise SystemExit("the browser's client switch sent no callback naming the new client")
    return {"page": page, "switch": switch}


def _requests_until_idle(driver, url: str, quiet: float = 2.0, timeout: float = 60.0) -> list[Recorded]:
    """Requests to `url` logged by Chromium until none is sent for `quiet` seconds."""
    recorded: list[Recorded] = []
    last, started = time.monotonic(), time.monotonic()
    while time.monotonic() - last < quiet and time.monotonic() - started < timeout:
        for entry in driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message.get("method") != "Network.requestWillBeSent":
                continue
            request = message["params"]["request"]
            if not request["url"].startswith(url):
                continue
            body = request.get("postData")
            if body is None and request.get("hasPostData"):
                body = driver.execute_cdp_cmd("Network.getRequestPostData",
                                              {"requestId": message["params"]["requestId"]})["postData"]
            recorded.append(Recorded(request["method"], request["url"][len(url):] or "/", body))
            last = time.monotonic()
        time.sleep(0.2)
    return recorded


def substitute(text: str, mapping: dict[int, object]) -> str:
    """Replace each whole client ID of `mapping` in a path or JSON body (not inside other numbers)."""
    if not mapping:
        return text
    pattern = re.compile(r"(?<!\d)(" + "|".join(str(k) for k in mapping) + r")(?!\d)")
    return pattern.sub(lambda m: str(mapping[int(m.group(1))]), text)


# --- a user ------------------------------------------------------------------------------------

class User:
    """One advisor or client system: its own keep-alive connection and its current client."""

    def __init__(self, url: str, headers: dict[str, str], capture: dict, clients: list[int],
                 stats: Stats, budget: "Budget", think: float, seed: int):
        host, port = url.removeprefix("http://").split(":")
        self.host, self.port = host, int(port)
        self.headers, self.capture, self.clients = headers, capture, clients
        self.stats, self.budget, self.think = stats, budget, think
        self.random = random.Random(seed)
        self.current = self.random.choice(clients)
        self.connection: http.client.HTTPConnection | None = None

    def run(self) -> None:
        names, weights = zip(*ACTIONS)
        while not self.budget.spent():
            action = self.random.choices(names, weights)[0]
            getattr(self, "_" + action.replace(" ", "_"))()
            if self.think:
                self.budget.sleep(self.random.expovariate(1.0 / self.think))
        if self.connection is not None:
            self.connection.close()

    def request(self, kind: str, method: str, path: str, body: str | None = None) -> tuple[int, bytes] | None:
        """Send one request, time it, record it; None when the budget is spent or it failed."""
        if not self.budget.take():
            return None
        headers = dict(self.headers)
        if body is not None:
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        error, status, data = None, 0, b""
        for attempt in (1, 2):  # a keep-alive connection the server closed is reopened once
            try:
                if self.connection is None:
                    self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                status, data = response.status, response.read()
                error = None if status < 300 else f"HTTP {status} on {method} {path}"
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                self.connection.close()
                self.connection = None
                error = f"{type(exc).__name__} on {method} {path}"
                if attempt == 2:
                    break
            except (OSError, http.client.HTTPException) as exc:
                self.connection.close()
                self.connection = None
                error = f"{type(exc).__name__}: {exc} on {method} {path}"
                break
        self.stats.add(kind, (time.perf_counter() - started) * 1000, error)
        return None if error else (status, data)

    def _replay(self, kind: str, recorded: list[Recorded], mapping: dict[int, int]) -> list[bytes] | None:
        answers = []
        for item in recorded:
            if STATIC.match(item.path):
                continue
            sub_kind = kind if item.path.startswith(CALLBACK_PATH) else kind.replace("callback", "document")
            answer = self.request(sub_kind, item.method, substitute(item.path, mapping),
                                  None if item.body is None else substitute(item.body, mapping))
            if answer is None:
                return None
            answers.append(answer[1])
        return answers

    def _page_load(self) -> None:
        target = self.random.choice(self.clients)
        self._replay("page: callback", self.capture["page"], {self.capture["first"]: target})
        self.current = target

    def _client_switch(self) -> None:
        target = self.random.choice(self.clients)
        while target == self.current:
            target = self.random.choice(self.clients)
        mapping = {self.capture["first"]: self.current, self.capture["second"]: target}
        started = time.perf_counter()
        answers = self._replay("switch: callback", self.capture["switch"], mapping)
        if answers is None:
            return
        named = any(str(target).encode() in answer for answer in answers)
        self.stats.add("switch: whole (all its callbacks)", (time.perf_counter() - started) * 1000,
                       None if named else f"no answer of the switch to {target} names the client")
        self.current = target

    def _api_client(self) -> None:
        self.request("api: GET /api/clients/<id>", "GET", f"/api/clients/{self.random.choice(self.clients)}")

    def _api_score(self) -> None:
        r = self.random
        income = r.randrange(30_000, 400_000, 1_000)
        credit = r.randrange(50_000, 2_000_000, 5_000)
        fields = {"income": income, "credit": credit, "annuity": max(1_000, credit // r.randint(10, 30)),
                  "age_years": r.randint(21, 68), "children": r.randint(0, 3), "family_members": r.randint(1, 5),
                  "contract": r.choice(["Cash loans", "Revolving loans"]), "gender": r.choice(["F", "M"]),
                  "income_type": r.choice(["Working", "Commercial associate", "Pensioner", "State servant"]),
                  "education": r.choice(["Secondary / secondary special", "Higher education"]),
                  "family_status": r.choice(["Married", "Single / not married", "Civil marriage"]),
                  "own_car": r.choice(["N", "Y"]), "own_realty": r.choice(["N", "Y"])}
        self.request("api: POST /api/score", "POST", "/api/score", json.dumps(fields))


class Budget:
    """At most `requests` requests and `seconds` seconds for one level, shared by its users."""

    def __init__(self, requests: int, seconds: float):
        self.left, self.deadline = requests, time.monotonic() + seconds
        self.lock, self.done = threading.Lock(), threading.Event()

    def take(self) -> bool:
        with self.lock:
            if self.left <= 0 or time.monotonic() >= self.deadline:
                self.done.set()
                return False
            self.left -= 1
            return True

    def spent(self) -> bool:
        return self.done.is_set() or time.monotonic() >= self.deadline

    def sleep(self, seconds: float) -> None:
        self.done.wait(min(seconds, max(0.0, self.deadline - time.monotonic())))


def run_level(users: int, url: str, headers: dict[str, str], capture: dict, clients: list[int],
              requests: int, seconds: float, think: float, seed: int,
              sessions: list[str] | None = None) -> tuple[Stats, float]:
    """`sessions`: one signed-in session cookie per user (None: sign-in is off)."""
    stats, budget = Stats(), Budget(requests, seconds)
    people = [User(url, {**headers, **({"Cookie": sessions[i]} if sessions else {})}, capture,
                   clients, stats, budget, think, seed * 1000 + i) for i in range(users)]
    threads = [threading.Thread(target=p.run, daemon=True) for p in people]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    return stats, time.perf_counter() - started


# --- report ------------------------------------------------------------------------------------

KIND_ORDER = ("page: document", "page: callback", "switch: document", "switch: callback", "switch: whole (all its callbacks)",
              "api: GET /api/clients/<id>", "api: POST /api/score")


def table_rows(users: int, stats: Stats, elapsed: float) -> list[str]:
    rows = []
    total = sum(len(v) for k, v in stats.times.items() if not k.startswith("switch: whole"))
    errors = sum(v for k, v in stats.errors.items())
    for kind in KIND_ORDER:
        times = stats.times.get(kind)
        if not times:
            continue
        p50, p95, p99 = np.percentile(times, [50, 95, 99])
        mark = ""
        if kind == "switch: callback":
            mark = " ✓" if p95 < SWITCH_TARGET_MS else " ✗"
        rate = f"{len(times) / elapsed:.1f}"
        rows.append(f"| {users} | {kind} | {len(times):,} | {rate} | {p50:.0f} | {p95:.0f}{mark} | {p99:.0f} | "
                    f"{stats.errors.get(kind, 0)} |")
    rows.append(f"| {users} | **all requests** | {total:,} | {total / elapsed:.1f} | | | | {errors} |")
    return rows


# --- signed-in users ------------------------------------------------------------------------------

def advisor_accounts(count: int, database_url: str) -> list[tuple[str, str]]:
    """`count` advisor accounts (name, password) in a fresh database, one per simulated user."""
    import secrets

    from webapp.auth import accounts

    made = [(f"advisor{i:02d}", secrets.token_urlsafe(16)) for i in range(1, count + 1)]
    for name, password in made:
        accounts.add_user(name, "advisor", password, database_url)
    return made


def sign_in(url: str, name: str, password: str) -> str:
    """Sign in through the real `/login` form (its CSRF token included), as a browser does;
    returns the session's `Cookie` header."""
    from http.cookies import SimpleCookie
    from urllib.parse import urlencode

    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    jar: dict[str, str] = {}

    def send(method: str, body: str | None = None, content_type: str | None = None) -> bytes:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())} if jar else {}
        if content_type:
            headers["Content-Type"] = content_type
        connection.request(method, "/login", body=body, headers=headers)
        response = connection.getresponse()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar.update({k: morsel.value for k, morsel in SimpleCookie(header).items()})
        data = response.read()
        if response.status >= 400:
            raise SystemExit(f"sign-in of {name} answered {response.status}")
        return data

    token = re.search(rb'name="csrf_token" value="([^"]+)"', send("GET")).group(1).decode()
    send("POST", urlencode({"username": name, "password": password, "csrf_token": token}),
         "application/x-www-form-urlencoded")
    connection.close()
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def parse_headers(values: list[str]) -> dict[str, str]:
    headers = {}
    for value in values:
        name, _, content = value.partition(":")
        if not name.strip() or not content.strip():
            raise SystemExit(f"--header needs 'Name: value', got {value!r}")
        headers[name.strip()] = content.strip()
    return headers


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--artifacts", type=Path, default=Path("/work/bench/artifacts"))
    parser.add_argument("--users", type=int, nargs="+", default=[1, 8, 32, 64])
    parser.add_argument("--requests", type=int, default=3000, help="request budget per level")
    parser.add_argument("--seconds", type=float, default=60.0, help="time budget per level")
    parser.add_argument("--think", type=float, default=0.0, help="mean seconds between a user's actions")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="gunicorn workers (startup.sh's default: the number of cores)")
    parser.add_argument("--threads", type=int, default=int(os.environ.get("GUNICORN_THREADS", "4")),
                        help="gunicorn threads of the one worker (startup.sh: $GUNICORN_THREADS or 4)")
    parser.add_argument("--auth", choices=["off", "signed-in", "keep"], default="off",
                        help="off: SCORING_AUTH=off; signed-in: local sign-in, one advisor account "
                             "and session per user (needs --capture from an earlier run); keep: "
                             "leave the environment")
    parser.add_argument("--header", action="append", default=[], help="'Name: value' sent with every request")
    parser.add_argument("--capture", type=Path, default=None,
                        help="reuse (or write, if absent) the browser's recorded requests in this JSON file")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--log", type=Path, default=Path("/tmp/bench_load_gunicorn.log"))
    args = parser.parse_args(argv)
    from model.artifacts import ArtifactError, set_folder

    artifacts = args.artifacts.resolve()  # an artifacts root (what SCORING_ARTIFACTS names)
    try:
        folder = set_folder(artifacts)  # its current set
    except ArtifactError as error:
        raise SystemExit(f"{error}: give an artifacts root built by `python -m model build`")
    headers = parse_headers(args.header)
    import pandas as pd

    ids = pd.read_parquet(folder / "clients.parquet", columns=["row"]).index.to_numpy()  # SK_ID_CURR
    clients = [int(i) for i in np.random.default_rng(args.seed).choice(ids, size=min(5000, len(ids)), replace=False)]
    env = {"SCORING_AUTH": "off"} if args.auth == "off" else {}
    people: list[tuple[str, str]] = []
    if args.auth == "signed-in":
        import secrets
        import tempfile

        if args.capture is None or not args.capture.is_file():
            raise SystemExit("--auth signed-in replays a capture: record one first with "
                             "--auth off --capture FILE")
        database_url = f"sqlite:///{tempfile.mkdtemp(prefix='bench_load_')}/app.db"
        people = advisor_accounts(max(args.users), database_url)
        env = {"SCORING_AUTH": "local", "SCORING_DATABASE_URL": database_url,
               "SCORING_SECRET_KEY": secrets.token_urlsafe(32)}
    process, url = start_gunicorn(artifacts, args.threads, env, args.log, workers=args.workers)
    try:
        if args.capture is not None and args.capture.is_file():
            capture = json.loads(args.capture.read_text())
        else:
            first, second = clients[0], clients[1]
            recorded = capture_browser(url, first, second, headers)
            capture = {"first": first, "second": second,
                       **{k: [r.__dict__ for r in v] for k, v in recorded.items()}}
            if args.capture is not None:
                args.capture.write_text(json.dumps(capture, indent=1))
        capture = {**capture, **{k: [Recorded(**r) for r in capture[k]] for k in ("page", "switch")}}
        sessions = [sign_in(url, name, password) for name, password in people] or None
        callbacks = {k: sum(r.path.startswith(CALLBACK_PATH) for r in capture[k]) for k in ("page", "switch")}
        documents = [substitute(r.path, {capture["first"]: "<id>"}) for r in capture["page"]
                     if not STATIC.match(r.path) and r.method == "GET" and not r.path.startswith(CALLBACK_PATH)]
        servers, me = workers_of(process, args.workers), psutil.Process()
        master = psutil.Process(process.pid)  # holds the set it loaded before forking
        for _ in range(3 * len(servers)):  # every worker has the set before its first answer
            urllib.request.urlopen(url + "/api/health", timeout=600).read()
        loading_peak = max(peak_rss_mb(p) for p in (master, *servers))

        def memory() -> tuple[float, float]:
            every = (master, *servers)
            return (sum(p.memory_info().rss for p in every) / MB, sum(pss_mb(p) for p in every))

        def server_cpu() -> float:
            return sum(cpu_seconds(s) for s in servers)

        rss = [("before the first level (after start-up and the browser capture)",
                *memory(), os.getloadavg()[0], "", "")]
        rows = []
        for users in args.users:
            cpu_server, cpu_me = server_cpu(), cpu_seconds(me)
            stats, elapsed = run_level(users, url, headers, capture, clients, args.requests, args.seconds,
                                       args.think, args.seed + users, sessions)
            rows += table_rows(users, stats, elapsed)
            done = sum(len(v) for k, v in stats.times.items() if not k.startswith("switch: whole"))
            rss.append((f"after {users} users", *memory(), os.getloadavg()[0],
                        f"{1000 * (server_cpu() - cpu_server) / max(done, 1):.1f}",
                        f"{1000 * (cpu_seconds(me) - cpu_me) / max(done, 1):.1f}"))
            for example in stats.examples:
                print(f"error example ({users} users): {example}", file=sys.stderr)
        final_peak = max(peak_rss_mb(p) for p in (master, *servers))
        final_pss = [pss_mb(p) for p in (master, *servers)]
    finally:
        stop(process)
    print(f"\ngunicorn app:server, {len(servers)} worker(s) x {args.threads} threads, 127.0.0.1; "
          f"{psutil.cpu_count()} CPUs shared with the load generator; artifacts `{artifacts}` "
          f"({len(ids):,} clients); per level at most {args.requests:,} requests and {args.seconds:.0f} s; "
          f"think time {args.think:g} s; a page load = {', '.join(documents)} + {callbacks['page']} callbacks, "
          f"a client switch = {callbacks['switch']} callbacks (recorded from Chromium).\n")
    print("| users | request | requests | throughput (req/s) | p50 ms | p95 ms | p99 ms | errors |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    print("\n".join(rows))
    print("\n| when | RSS, master and workers (MB) | PSS, master and workers (MB) | machine load average (1 min) "
          "| workers' CPU ms per request | load generator CPU ms per request |"
          "\n|---|---:|---:|---:|---:|---:|")
    print("\n".join(f"| {label} | {value:,.0f} | {pss:,.0f} | {load:.1f} | {cpu} | {mine} |"
                     for label, value, pss, load, cpu, mine in rss))
    print(f"\nPeak RSS of a gunicorn process while starting and loading the artifacts (VmHWM before "
          f"the first level, the highest of the master and the workers): {loading_peak:,.0f} MB; "
          f"at the end: {final_peak:,.0f} MB.\nPSS per process at the end: master {final_pss[0]:,.0f} MB, "
          f"workers {', '.join(f'{pss:,.0f}' for pss in final_pss[1:])} MB.")


if __name__ == "__main__":
    main()

"""The served artifact set is verified again in the background, not only when it is loaded.

A set is verified (signature, then every file's SHA-256) before it is loaded; afterwards its
files stay on disk, and `features.npy`, the stored assessments and their SHAP values are read
by the requests (memory-mapped read-only, rows read with `pread`). A file changed in place or
truncated would otherwise be served silently: one edited row moved a client from 20.0 % to
3.3 % with health "ok".

Every `SCORING_VERIFY_SECONDS` (default 300; 0 turns the check off) a daemon thread per
process re-runs `model.artifacts.verify` on each served set (`webapp.serving.recheck_served`). A set
that fails is refused (`webapp.serving.refuse`): the set served before it is served again if it still verifies
(health "degraded", `refused` naming the file), else nothing is (health 503 naming the file).
A truncated matrix met by a request that reads a feature row (the why page, the API, a
what-if) is refused at once (`AppState.feature_row`).

Hashing costs about 2 s per GB of set on one core, in a background thread, every few minutes.
"""
from __future__ import annotations

import logging
import os
import threading

from collections.abc import Callable

log = logging.getLogger(__name__)
DEFAULT_VERIFY_SECONDS = 300.0

_started_in: int | None = None  # the process whose watcher runs (threads do not survive a fork)
_start_lock = threading.Lock()


def verify_seconds() -> float:
    """`SCORING_VERIFY_SECONDS`: seconds between two re-checks (0: never)."""
    raw = os.environ.get("SCORING_VERIFY_SECONDS", "").strip()
    try:
        value = float(raw) if raw else DEFAULT_VERIFY_SECONDS
    except ValueError:
        log.warning("SCORING_VERIFY_SECONDS=%r is not a number: using %s", raw, DEFAULT_VERIFY_SECONDS)
        return DEFAULT_VERIFY_SECONDS
    return max(value, 0.0)


def _watch(check: Callable[[], object], interval: float, stop: threading.Event) -> None:
    while not stop.wait(interval):
        try:
            check()
        except Exception:  # never let the watcher die silently
            log.error("artifact re-check failed", exc_info=True)


def start(check: Callable[[], object], interval: float | None = None,
          stop: threading.Event | None = None) -> threading.Thread | None:
    """Run `check` (`webapp.serving.recheck_served`) every `interval` seconds in a daemon
    thread, started once per process (a gunicorn worker starts its own: the master that
    loaded the set before forking runs none); a caller's own `stop` event starts another one
    (tests). The watcher knows nothing of what it checks, so serving imports it and not the
    other way round."""
    global _started_in
    interval = verify_seconds() if interval is None else interval
    if interval <= 0:
        return None
    with _start_lock:
        if _started_in == os.getpid() and stop is None:
            return None
        if stop is None:
            _started_in = os.getpid()
        thread = threading.Thread(target=_watch, args=(check, interval, stop or threading.Event()),
                                  name="artifact-set-watch", daemon=True)
        thread.start()
    log.info("served artifact sets re-verified every %.0f s", interval)
    return thread

"""gunicorn settings read by `startup.sh` (and by any `gunicorn app:server` run from here).

The master imports the app and loads the served artifact set once, then forks the workers:
they share its pages (the client tables, the models, the imported code) copy-on-write, and
the memory-mapped matrix, stored assessments and SHAP values through the OS's file cache, so
a second worker adds little memory (docs/benchmarks.md, "Thirty-two advisors"). No request
pays for the load and two first requests never race on it.

Each worker then re-reads `current` (a newer set is loaded by that worker, not shared, until
the next restart), starts its own re-verification of the served set (`webapp.set_watch`)
and opens its own database connections (`webapp.db` forgets the master's after the fork).
"""
import gc

preload_app = True


def when_ready(server) -> None:
    """In the master, after the app is imported and before any worker is forked."""
    import app

    app.load_before_serving(watch=False)
    # Objects created so far live as long as the master: keep the collector from touching
    # them in the workers (each touch copies a shared page).
    gc.freeze()


def post_worker_init(worker) -> None:
    import app

    app.load_before_serving()

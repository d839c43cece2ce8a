"""gunicorn settings read by `startup.sh` (and by any `gunicorn app:server` run from here).

Each worker loads the served artifact set before it takes its first request, so no
request pays for the load and two first requests never race on it.
"""


def post_worker_init(worker) -> None:
    import app

    app.load_before_serving()

"""The Dash app of "Prêt à dépenser": `python app.py` serves it, gunicorn uses `server`.

Importing this module only creates the app (tests import it cheaply). Start-up work
is explicit: `build_demo_if_empty()` builds a demo set (from `data/raw/` if the
Kaggle files are there, else from synthetic data) only when the artifacts root
holds no set at all, and `load_before_serving()` loads the served set and its
derived values before the first request. `python app.py` calls both; `startup.sh`
calls the first, then gunicorn calls the second in its master before forking the workers, and
again in each worker, which re-reads `current` and starts its own re-verification
(gunicorn.conf.py).
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

import dash
import plotly.io


log = logging.getLogger("app")
PAGES_FOLDER = Path(__file__).resolve().parent / "webapp" / "pages"


# Dash's default page puts its scripts in a <footer>: a second "contentinfo" landmark next to
# the shell's footer (axe-core landmark-unique). Same page, scripts in a plain <div>, and
# French as the document language until the switch says otherwise.
INDEX_STRING = """<!DOCTYPE html>
<html lang="fr">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        {%app_entry%}
        <div class="dash-scripts">
            {%config%}
            {%scripts%}
            {%renderer%}
        </div>
    </body>
</html>"""


def create_app() -> dash.Dash:
    """The Dash app with its pages, the drift report route and the JSON API."""
    from flask_compress import Compress

    from webapp.http.api import register_api
    from webapp.auth import register_auth
    from webapp.bad_input import register_bad_input_handlers
    from webapp.http.errors import register_error_handlers
    from webapp.layout import ROUTING_CALLBACK_INPUTS, make_layout
    from webapp.http.letter import register_letter
    from webapp.http.static import register_static_assets
    from webapp.validation_layout import register_light_validation_layout

    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder=str(PAGES_FOLDER),
        # Bootstrap 5.3.6 CSS is served from assets/ (no CDN: works offline and in CI).
        title="Prêt à dépenser — scoring crédit",
        assets_folder=str(Path(__file__).resolve().parent / "assets"),
        routing_callback_inputs=ROUTING_CALLBACK_INPUTS,  # pages get lang=, re-render on switch
    )
    app.index_string = INDEX_STRING
    app.layout = make_layout
    # Dash encodes every callback answer with plotly's JSON; its "auto" engine picks orjson when
    # it happens to be installed, whose pure-Python clean-up pass made the why page's answer
    # 7.6 ms against 4.6 ms with the standard library (component trees; benchmarks/bench_app.py).
    # One engine everywhere, whatever else the machine has.
    plotly.io.json.config.default_engine = "json"
    Compress(app.server)  # zstd/br/gzip as the browser accepts: 6.4 MB -> 1.7 MB per empty-cache page
    register_static_assets(app.server)  # after Compress: its hook runs first
    register_api(app.server)
    register_auth(app)
    register_error_handlers(app.server, app.callback_map)
    register_bad_input_handlers(app.server)
    register_letter(app.server)
    register_light_validation_layout(app)  # after Dash's Pages router: it runs second
    return app


def configure_logging() -> None:
    """INFO logs to stderr, unless the process (e.g. a test runner) configured logging already."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def build_demo_if_empty() -> None:
    """Build the demo artifact set when the artifacts root holds none (never replaces one)."""
    configure_logging()
    from model.pipeline import ensure_demo_artifacts

    ensure_demo_artifacts()


def load_before_serving(watch: bool = True) -> None:
    """Load the served set and precompute its derived values; without one, serve the message.
    `watch`: re-verify it in the background from this process (not in a gunicorn master:
    gunicorn.conf.py)."""
    configure_logging()
    from model.artifacts import ArtifactError
    from webapp.serving import refresh

    try:
        refresh(watch=watch)
    except ArtifactError as error:  # pages and /api/health then say what is wrong
        log.error("starting without artifacts: %s", error)


app = create_app()
server = app.server

if __name__ == "__main__":
    build_demo_if_empty()
    load_before_serving()
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", "8050")),
            debug=False)

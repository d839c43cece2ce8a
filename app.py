"""The Dash app of "Prêt à dépenser": `python app.py` serves it, gunicorn uses `server`.

On first start with no artifacts it builds a demo set (from `data/raw/` if the
Kaggle files are there, else from synthetic data), then only reads artifacts.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

import dash


log = logging.getLogger("app")
PAGES_FOLDER = Path(__file__).resolve().parent / "webapp" / "pages"


def create_app() -> dash.Dash:
    """The Dash app with its pages, the drift report route and the JSON API."""
    from webapp.api import register_api
    from webapp.layout import ROUTING_CALLBACK_INPUTS, make_layout
    from webapp.letter import register_letter

    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder=str(PAGES_FOLDER),
        # Bootstrap 5.3.6 CSS is served from assets/ (no CDN: works offline and in CI).
        title="Prêt à dépenser — scoring crédit",
        assets_folder=str(Path(__file__).resolve().parent / "assets"),
        routing_callback_inputs=ROUTING_CALLBACK_INPUTS,  # pages get lang=, re-render on switch
    )
    app.layout = make_layout
    register_api(app.server)
    register_letter(app.server)
    return app


def _prepare() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from model.pipeline import ensure_demo_artifacts

    ensure_demo_artifacts()


_prepare()
app = create_app()
server = app.server

if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", "8050")),
            debug=False)

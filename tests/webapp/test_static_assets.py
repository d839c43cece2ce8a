"""Static assets reach the browser compressed, and fingerprinted ones are cached: a page
load must not fetch Bootstrap's 232 KB again, uncompressed, every time."""
from __future__ import annotations

import gzip
import re

from model import config


def _asset_urls(app_client) -> list[str]:
    page = app_client.get("/").get_data(as_text=True)
    return re.findall(r'(?:href|src)="(/assets/[^"]+)"', page)


def test_fingerprinted_assets_are_compressed_and_cached(app_client):
    urls = _asset_urls(app_client)
    assert any("bootstrap" in url for url in urls), urls
    for url in urls:
        assert "?m=" in url  # Dash's fingerprint: a changed file gets another URL
        plain = app_client.get(url)
        packed = app_client.get(url, headers={"Accept-Encoding": "gzip"})
        assert packed.status_code == 200
        assert f"max-age={config.STATIC_MAX_AGE_SECONDS}" in packed.headers["Cache-Control"]
        if len(plain.get_data()) >= 500:  # flask-compress leaves tiny files as they are
            assert packed.headers.get("Content-Encoding") == "gzip", url
            assert gzip.decompress(packed.get_data()) == plain.get_data()


def test_an_asset_without_fingerprint_is_revalidated(app_client):
    answer = app_client.get("/assets/style.css")
    assert answer.status_code == 200
    assert "immutable" not in answer.headers.get("Cache-Control", "")
    assert app_client.get("/assets/nope.css").status_code == 404

"""Which area a path belongs to and how to answer when access is refused (pure functions)."""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, unquote, urlsplit

from webapp.auth import config

# Requests that are neither pages nor data for a page: refused with JSON, never redirected.
NON_PAGE_PREFIXES = ("/_", "/api/", "/reports/", "/assets/")
PAGES_LOCATION_ID = "_pages_location"   # Dash Pages' router input (pathname of the page to render)


_DECODE_ROUNDS = 4   # "%252F" -> "%2F" -> "/": decoded until stable, a few rounds at most


def normalise_path(path: object) -> str:
    """The one form of a path every access decision is taken on.

    Dash's page router matches `pathname.strip("/")` against each page path, so `//model`,
    `/model/` and `/model` open the same screen; Werkzeug decodes `%2F` to `/`, and a
    browser's `location.pathname` keeps it encoded. Here the path is percent-decoded until
    stable, backslashes count as slashes, empty and `.` segments are dropped, `..` removes
    the previous segment, and the result is lower-cased: every spelling Dash or Flask could
    route to a screen maps to that screen's one path (stricter, never looser, than the router).
    """
    # Never cut short: "/" * 3000 + "model" is the Model screen to the router. The request
    # line and body limits bound the length; decoding is a few linear passes.
    text = _decoded((path if isinstance(path, str) else "").split("?", 1)[0])
    segments = _segments(text.replace("\\", "/"))
    return ("/" + "/".join(segments)).lower()


def _decoded(text: str) -> str:
    """Percent-decoded until stable (a few rounds at most)."""
    for _ in range(_DECODE_ROUNDS):
        decoded = unquote(text)
        if decoded == text:
            break
        text = decoded
    return text


def _segments(path: str) -> list[str]:
    """The segments of `path` with empty and `.` ones dropped and `..` applied."""
    segments: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if segments:
                segments.pop()
        elif segment not in ("", "."):
            segments.append(segment)
    return segments


def is_public(path: str) -> bool:
    """Paths served without a session: sign-in, health, the shell's style and the Dash bundles.

    Both the path as received and its normal form must be public: `/_dash-component-suites/
    ../model` is not.
    """
    return _public(path) and _public(normalise_path(path))


def _public(path: str) -> bool:
    if path in config.PUBLIC_PATHS or path.startswith(config.PUBLIC_PREFIXES):
        return True
    if path.startswith("/assets/"):
        return path[len("/assets/"):] in config.PUBLIC_ASSETS
    return False


def is_page(path: str, method: str) -> bool:
    """A page a person opens in the browser (redirected to /login) rather than data (401)."""
    return method in ("GET", "HEAD") and not path.startswith(NON_PAGE_PREFIXES)


# Cookie-authenticated GETs that compute and log a score outside Dash's own requests.
SCORING_GET_PREFIXES = ("/clients/",)


def cross_site_allowed(path: str, method: str) -> bool:
    """What another site may make a signed-in browser request: plain page navigations (the
    shell; its data then comes from same-site requests), never data, the letter or a form."""
    return is_page(path, method) and not normalise_path(path).startswith(SCORING_GET_PREFIXES)


def area_for(path: str) -> str:
    """The area (`config.ROLE_AREAS`) a path belongs to; 'advisor' unless a rule says more.

    Decided on `normalise_path(path)`, so no spelling of a manager's path is an advisor's.
    """
    path = normalise_path(path)
    for prefix, area in config.AREA_RULES:
        if path == prefix or path.startswith(prefix.rstrip("/") + "/") or (
                prefix.endswith("/") and path.startswith(prefix)):
            return area
    return "advisor"


def is_router_pathname(value: str) -> bool:
    """What Dash's page router can route without raising: a path starting with "/" (it raises
    `UnsupportedRelativePath` on "x" or "", which would answer 500). A pathname that is not
    a string is refused by `webapp.validation` (browser-fixed types), after the guard."""
    return value.startswith("/")


def routed_pathname(payload: object) -> str | None:
    """The page a Dash callback request asks the Pages router to render, if it is that callback.

    Navigating inside the app renders the next page through `/_dash-update-component`
    (no new GET), so the guard checks this pathname like a page URL.
    """
    if not isinstance(payload, dict):
        return None
    for group in ("inputs", "state"):
        items = payload.get(group)
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and item.get("id") == PAGES_LOCATION_ID \
                    and item.get("property") == "pathname":
                value = item.get("value")
                return value if isinstance(value, str) else None
    return None


def callback_area(payload: object) -> str:
    """The area of a Dash callback request: the page the router is asked to render, else the
    widest area among its output ids (`config.CALLBACK_ID_AREAS`), else 'advisor'."""
    routed = routed_pathname(payload)
    if routed is not None:
        return area_for(routed)
    output = payload.get("output") if isinstance(payload, dict) else None
    if not isinstance(output, str):
        return "advisor"
    component_ids = [part.rsplit(".", 1)[0] for part in output.strip(".").split("...")]
    areas = {area for component_id in component_ids for prefix, area in config.CALLBACK_ID_AREAS
             if component_id.startswith(prefix)}
    return max(areas, key=_AREA_ORDER.index) if areas else "advisor"


_AREA_ORDER = ("advisor", "manager", "admin")


_CONTROL_OR_SPACE = re.compile(r"[\\\x00-\x20\x7f]")


def same_site_path(value: object, default: str = "/") -> str:
    """`value` as a path of this site to redirect to after sign-in, else `default`.

    Decoded first (`/%09/evil.example` is `/<tab>/evil.example`, which a browser reads as
    `//evil.example`, another site): refused when it has a scheme or a host, any control,
    space or separator character, or a backslash; dot segments and doubled slashes are
    resolved. The answer is re-encoded, so the Location header holds ASCII only.
    """
    if not isinstance(value, str) or not value.startswith("/") or len(value) > 500:
        return default
    text = _decoded(value)
    if _CONTROL_OR_SPACE.search(text) or any(unicodedata.category(ch)[0] in "CZ" for ch in text):
        return default
    parts = urlsplit(text)
    if parts.scheme or parts.netloc:
        return default
    segments = _segments(parts.path)
    path = quote("/" + "/".join(segments), safe="/-._~")
    return path + ("?" + quote(parts.query, safe="=&-._~") if parts.query else "")

"""Which area a path belongs to and how to answer when access is refused (pure functions)."""
from __future__ import annotations

from webapp.auth import config

# Requests that are neither pages nor data for a page: refused with JSON, never redirected.
NON_PAGE_PREFIXES = ("/_", "/api/", "/reports/", "/assets/")
PAGES_LOCATION_ID = "_pages_location"   # Dash Pages' router input (pathname of the page to render)


def is_public(path: str) -> bool:
    """Paths served without a session: sign-in, health, the shell's style and the Dash bundles."""
    if path in config.PUBLIC_PATHS or path.startswith(config.PUBLIC_PREFIXES):
        return True
    if path.startswith("/assets/"):
        return path[len("/assets/"):] in config.PUBLIC_ASSETS
    return False


def is_page(path: str, method: str) -> bool:
    """A page a person opens in the browser (redirected to /login) rather than data (401)."""
    return method in ("GET", "HEAD") and not path.startswith(NON_PAGE_PREFIXES)


def area_for(path: str) -> str:
    """The area (`config.ROLE_AREAS`) a path belongs to; 'advisor' unless a rule says more."""
    path = (path or "/").split("?", 1)[0]
    for prefix, area in config.AREA_RULES:
        if path == prefix or path.startswith(prefix.rstrip("/") + "/") or (
                prefix.endswith("/") and path.startswith(prefix)):
            return area
    return "advisor"


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

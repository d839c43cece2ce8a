"""One access decision per request, on the path as Dash's router and Flask would read it.

The finding (issue 19): an advisor opened `//model` and `//drift` (the page router strips
every leading and trailing slash), while `/model` answered 403. Every spelling below must
get the same answer as the plain path, for pages, for the router's callback request and for
routes; statuses written out by hand per role.
"""
from __future__ import annotations

from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.webapp.dash_requests import router_request
from tests.webapp.signin import sign_in, signed_in_server
from webapp.auth import access

ROLES = ("advisor", "manager", "admin")
# path -> the area it belongs to (the least role that may open it)
PATHS = {
    "/model": "manager", "//model": "manager", "/model/": "manager", "///model//": "manager",
    "/%2Fmodel": "manager", "/%252Fmodel": "manager", "/MODEL": "manager", "/Model/": "manager",
    "/./model": "manager", "/x/../model": "manager", "/new/../model/.": "manager",
    "/drift": "manager", "//drift": "manager", "/drift/./": "manager", "/%2fdrift": "manager",
    "/audit": "manager", "//audit": "manager", "/AUDIT": "manager", "/fairness//": "manager",
    "/reports/drift.html": "manager", "//reports/drift.html": "manager",
    "/api/audit/decisions.csv": "manager", "//api/audit/decisions.csv": "manager",
    "/API/Audit/decisions.csv": "manager", "/api/x/../audit/decisions.csv": "manager",
    "/admin": "admin", "//admin": "admin", "/Admin/": "admin", "/%2Fadmin": "admin",
    "/" * 3000 + "model": "manager", "/" + "./" * 1500 + "audit": "manager",
    "/": "advisor", "/client/100002": "advisor", "//client/100002/why": "advisor",
    "/new": "advisor", "/modelx": "advisor", "/model-card": "advisor",
}
def short(value: str) -> str:
    """A readable test id for very long paths."""
    return value if len(value) <= 40 else f"{value[:12]}...{value[-8:]}({len(value)})"


ALLOWED = {"advisor": {"advisor"}, "manager": {"advisor", "manager"},
           "admin": {"advisor", "manager", "admin"}}


@pytest.mark.parametrize("path, area", sorted(PATHS.items()), ids=short)
def test_area_of_every_spelling(path, area):
    assert access.area_for(path) == area


def as_received(client, path: str, method: str = "GET"):
    """Request `path` as a WSGI server hands it over: PATH_INFO percent-decoded once, the raw
    target in RAW_URI (the test client would read `//admin` as a host name)."""
    return client.open("/", method=method, environ_overrides={"PATH_INFO": unquote(path),
                                                               "RAW_URI": path, "REQUEST_URI": path})


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('access')}/app.db"
    environment = pytest.MonkeyPatch()
    environment.setenv("SCORING_DATABASE_URL", url)
    yield signed_in_server(url, ("/<path:anything>", "/"))
    environment.undo()


@pytest.fixture(scope="module")
def clients(server):
    """One signed-in test client per role."""
    signed = {}
    for role in ROLES:
        client = server.test_client()
        assert sign_in(client, role).status_code == 302
        signed[role] = client
    return signed


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path, area", sorted(PATHS.items()), ids=short)
def test_pages_and_routes_paths_x_roles(clients, role, path, area):
    status = as_received(clients[role], path).status_code
    if area in ALLOWED[role]:
        assert status < 400, f"{role} refused {path}"
    else:
        assert status == 403, f"{role} got {status} for {path}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path, area", sorted(PATHS.items()), ids=short)
def test_router_callback_paths_x_roles(clients, role, path, area):
    status = clients[role].post("/_dash-update-component", json=router_request(path)).status_code
    if area in ALLOWED[role]:
        assert status < 400
    else:
        assert status == 403


@pytest.mark.parametrize("output", ["drift-distribution.children", "audit-table.children",
                                    "..model-x.children...client-y.children.."])
def test_manager_callbacks_refused_to_an_advisor(clients, output):
    body = {"output": output, "outputs": [], "inputs": [], "state": [], "changedPropIds": []}
    assert clients["advisor"].post("/_dash-update-component", json=body).status_code == 403
    assert clients["manager"].post("/_dash-update-component", json=body).status_code < 400


@pytest.mark.parametrize("pathname", ["x", "", "model", "client/100002"])
def test_router_pathname_not_a_path_is_a_400(clients, pathname):
    answer = clients["admin"].post("/_dash-update-component", json=router_request(pathname))
    assert answer.status_code == 400 and "path starting with /" in answer.get_json()["error"]


def test_public_prefix_does_not_open_a_page_by_dot_segments(server):
    anonymous = server.test_client()
    assert as_received(anonymous, "/_dash-component-suites/../model").status_code in (302, 401)
    assert as_received(anonymous, "/assets/../audit").status_code in (302, 401)
    assert as_received(anonymous, "/assets/style.css").status_code < 400


# --- the router itself: anything Dash routes to a manager screen is in the manager area -----------

SEGMENTS = st.sampled_from(["", ".", "..", "model", "drift", "audit", "Model", "client", "100002",
                            "why", "new", "%2F", "%2Fmodel", "x"])


@settings(max_examples=400, deadline=None, database=None)
@given(st.lists(SEGMENTS, min_size=1, max_size=6), st.booleans())
def test_what_dash_routes_to_a_manager_page_is_never_an_advisor_area(segments, trailing):
    import app  # noqa: F401  (registers the pages)
    from dash._get_paths import app_strip_relative_path
    from dash._pages import _path_to_page

    pathname = "/" + "/".join(segments) + ("/" if trailing else "")
    page, _ = _path_to_page(app_strip_relative_path("/", pathname))
    if page and page.get("path") in ("/model", "/drift", "/audit"):
        assert access.area_for(pathname) == "manager", pathname

"""Who is asking: the signed-in user, an API key, an Azure identity, or nobody.

The guard (`webapp.auth.guard`) decides it once per request and keeps it in `flask.g`;
the decision log and the menu read it through `current_principal()`.
"""
from __future__ import annotations

import base64
import binascii
import json
import logging
from dataclasses import dataclass

from webapp.auth import config

log = logging.getLogger(__name__)
MAX_PRINCIPAL_HEADER = 16_384


@dataclass(frozen=True)
class Principal:
    name: str
    role: str | None      # advisor | manager | admin | None (signed in, no role of ours)
    kind: str             # user | api_key | azure | off | system

    @property
    def areas(self) -> frozenset[str]:
        return config.ROLE_AREAS.get(self.role or "", frozenset())

    def may(self, area: str) -> bool:
        return area in self.areas


SYSTEM = Principal("system", None, "system")   # outside a request (CLI, benchmarks)
DEVELOPER = Principal("dev", "admin", "off")    # SCORING_AUTH=off


def current_principal() -> Principal:
    """The principal of the current request (SYSTEM outside one)."""
    try:
        from flask import g, has_request_context
    except ImportError:  # pragma: no cover
        return SYSTEM
    if not has_request_context():
        return SYSTEM
    return g.get("principal") or SYSTEM


def _strongest(roles: list[str]) -> str | None:
    """The role with the most areas among those granted (several app roles may be assigned)."""
    known = [role for role in roles if role in config.ROLE_AREAS]
    return max(known, key=lambda role: len(config.ROLE_AREAS[role])) if known else None


def azure_principal(header: str | None, name_header: str | None = None) -> Principal | None:
    """The identity App Service Authentication put in `X-MS-CLIENT-PRINCIPAL` (base64 JSON).

    Roles are the claims of type `role_typ` (usually `roles`), mapped to ours by
    `config.azure_role_map()`; a user with none of the mapped roles gets role None (403).
    Only called in mode `azure`, where App Service strips any such header sent by a client.
    """
    if not header or len(header) > MAX_PRINCIPAL_HEADER:
        return None
    try:
        data = json.loads(base64.b64decode(header, validate=False))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        log.warning("unreadable X-MS-CLIENT-PRINCIPAL header")
        return None
    if not isinstance(data, dict):
        return None
    claims = [c for c in data.get("claims") or [] if isinstance(c, dict)]
    name_type = data.get("name_typ") or "name"
    role_types = {data.get("role_typ") or "roles", "roles",
                  "http://schemas.microsoft.com/ws/2008/06/identity/claims/role"}
    names = [str(c.get("val")) for c in claims if c.get("typ") in (name_type, "preferred_username", "name")]
    mapping = config.azure_role_map()
    roles = [mapping[str(c.get("val"))] for c in claims
             if c.get("typ") in role_types and str(c.get("val")) in mapping]
    name = (name_header or (names[0] if names else "")).strip()[:80]
    if not name:
        return None
    return Principal(name, _strongest(roles), "azure")

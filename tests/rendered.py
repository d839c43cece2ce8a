"""Text of a rendered Dash layout, the same whichever JSON encoder Dash picks.

Dash's plain encoder writes "Refus\\u00e9", orjson writes "Refusé": a test that searched the raw
JSON passed only where orjson happened to be installed. Tests read the decoded strings.
"""
from __future__ import annotations

import json


def rendered_text(component) -> str:
    """Every string of a rendered layout (texts, ids, props), decoded, one per line."""
    from dash._utils import to_json

    def strings(value) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, dict):
            return [s for item in value.values() for s in strings(item)]
        if isinstance(value, list):
            return [s for item in value for s in strings(item)]
        return []

    return "\n".join(strings(json.loads(to_json(component))))

"""Checks on what arrives from outside (URL parts, JSON bodies, Dash callback requests),
shared by the API and the Dash callbacks so that both refuse the same inputs.

Every check here is cheap and runs *before* any parsing that could cost memory or
time: a 20,000-digit search string once made `np.searchsorted` widen the 5,000
stored IDs to 20,001-character strings (760 MB); `int()` of a 5,000-digit ID raises
`ValueError` past Python's 4,300-digit limit; "²" passes `str.isdigit()` but not
`int()`. Pure functions, no Flask or Dash imports.
"""
from __future__ import annotations

import json
import math
import re
from collections.abc import Hashable, Iterable
from typing import Any

from webapp.ids import dom_id

# SK_ID_CURR values are 6-digit numbers below 10**9; 32 characters leave room for
# spaces typed between digit groups, and nothing longer is ever a client ID.
MAX_ID_LENGTH = 32
MAX_CLIENT_ID = 10**9
# Longest number an advisor can type in a form field ("100 000 000,00 €" is 16).
MAX_NUMBER_LENGTH = 40
# JSON bodies: the API's fields are one flat object, Dash callback requests nest
# about 6 levels (request > inputs > list > item > value > props); 32 is generous.
MAX_JSON_DEPTH = 32
MAX_BODY_BYTES = 1024 * 1024  # 1 MB: the largest real callback request is about 20 KB
# How much of a refused value a message repeats back.
ECHO_LENGTH = 40

_ASCII_DIGITS = re.compile(r"[0-9]+", re.ASCII)
# Group separators an advisor types or pastes ("100 002", French no-break spaces); never
# tabs, line breaks or other Unicode spaces, which would reach headers and file names.
_SPACES = re.compile(r"[ \u202f\u00a0]+")


class InputError(ValueError):
    """An input refused before any work; `field` names what was wrong (for a 4xx JSON)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


def shorten(value: object, limit: int = ECHO_LENGTH) -> str:
    """A refused value as it may be repeated in a message: at most `limit` characters."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) > limit:
        return text[:limit] + f"… ({len(text)} characters)"
    return text


def bounded_text(raw: object, limit: int) -> str | None:
    """`raw` if it is a string of at most `limit` characters, else None."""
    return raw if isinstance(raw, str) and len(raw) <= limit else None


def parse_client_id(raw: object) -> int | None:
    """An SK_ID_CURR from user input ('100002', ' 100 002 ', 100002.0), else None.

    Only ASCII digits count ('²' and Arabic-Indic digits are refused, not read as
    numbers), and the text length is checked before any conversion.
    """
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, float):
        if not math.isfinite(raw) or raw != int(raw):
            return None
        value = int(raw)
    elif isinstance(raw, str):
        if len(raw) > MAX_ID_LENGTH:
            return None
        text = _SPACES.sub("", raw)
        if not _ASCII_DIGITS.fullmatch(text):
            return None
        value = int(text)
    else:
        try:  # numpy integers and floats
            return parse_client_id(raw.item())  # type: ignore[attr-defined]
        except (AttributeError, TypeError, ValueError):
            return None
    return value if 0 < value < MAX_CLIENT_ID else None


def search_digits(raw: object) -> str:
    """The ASCII digits of a search box value; '' when it is not short text or has more
    digits than any client ID (nothing could match)."""
    text = bounded_text(raw, MAX_ID_LENGTH)
    digits = "".join(ch for ch in text if "0" <= ch <= "9") if text else ""
    return digits if len(digits) < len(str(MAX_CLIENT_ID)) else ""


def choice(raw: object, allowed: Iterable[Hashable]) -> Any:
    """`raw` if it is one of `allowed` (any JSON value may arrive: lists are unhashable)."""
    if not isinstance(raw, Hashable) or isinstance(raw, bool):
        return None
    return raw if raw in set(allowed) else None


def json_depth(value: object, limit: int = MAX_JSON_DEPTH) -> int:
    """Nesting depth of a decoded JSON value, counting at most to `limit + 1`."""
    depth, level = 0, [value]
    while level and depth <= limit:
        depth += 1
        level = [child for item in level if isinstance(item, (dict, list))
                 for child in (item.values() if isinstance(item, dict) else item)]
        level = [item for item in level if isinstance(item, (dict, list))]
    return depth


def load_json(data: bytes | str, field: str = "body", allow_constants: bool = False) -> Any:
    """Decode a JSON body; `InputError` for bad JSON, nesting past the limit and (unless
    `allow_constants`, for callers that check each number and name its field) NaN/Infinity."""
    def no_constants(name: str) -> float:
        if allow_constants:
            return float(name)
        raise InputError(field, f"{name} is not allowed in JSON")

    try:
        value = json.loads(data, parse_constant=no_constants)
    except InputError:
        raise
    except RecursionError:
        raise InputError(field, f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise InputError(field, f"not valid JSON ({shorten(str(error), 80)})") from None
    if json_depth(value) > MAX_JSON_DEPTH:
        raise InputError(field, f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    try:  # "\\ud800" alone decodes to a lone surrogate, which no database or pyarrow encodes
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(field, "text with a lone surrogate (not valid Unicode)") from None
    return value


# --- Dash callback requests ---------------------------------------------------------------------

# Properties whose type the browser fixes (Dash's own pages callback reads `pathname`
# and `search` as strings); any other value is checked by the callback that reads it.
PROPERTY_TYPES: dict[str, tuple[type, ...]] = {
    "pathname": (str,), "search": (str,), "hash": (str,), "href": (str,),
    "n_clicks": (int,), "n_submit": (int,), "n_clicks_timestamp": (int,),
}
_WILDCARDS = (["ALL"], ["MATCH"], ["ALLSMALLER"])
_ID_VALUE_TYPES = (str, int, float, bool)


def declared_id(text: str) -> str | dict:
    """An id as Dash's callback map holds it: a string, or a pattern as JSON text."""
    return json.loads(text) if text.startswith("{") else text


def _id_matches(item_id: object, declared: str | dict) -> bool:
    if isinstance(declared, str):
        return item_id == declared
    if not isinstance(item_id, dict) or set(item_id) != set(declared):
        return False
    for key, pattern in declared.items():
        value = item_id[key]
        if not isinstance(value, _ID_VALUE_TYPES):
            return False
        if pattern not in _WILDCARDS and value != pattern:
            return False
    return True


def is_multi_id(declared: str | dict) -> bool:
    """ALL / ALLSMALLER ids arrive as a list of items, the others as one item."""
    return isinstance(declared, dict) and any(v in (["ALL"], ["ALLSMALLER"]) for v in declared.values())


def _item_problem(item: object, declared: dict, where: str, with_value: bool) -> str | None:
    if not isinstance(item, dict):
        return f"{where}: an object with id and property is expected"
    if item.get("property") != declared["property"] or not _id_matches(item.get("id"), declared_id(declared["id"])):
        return f"{where}: {shorten(item.get('id'))}.{shorten(item.get('property'))} is not " \
               f"{declared['id']}.{declared['property']}"
    if with_value and item.get("value") is not None:
        expected = PROPERTY_TYPES.get(declared["property"])
        value = item["value"]
        if expected and (not isinstance(value, expected) or isinstance(value, bool)):
            return f"{where}: {declared['property']} must be {expected[0].__name__}"
        if declared["property"] == "id" and value != item["id"]:
            return f"{where}: the id property must be the component's id"
    return None


def _list_problem(items: object, declared: list[dict], where: str, with_value: bool,
                  lengths: list[int]) -> str | None:
    if not isinstance(items, list) or len(items) != len(declared):
        return f"{where}: a list of {len(declared)} item(s) is expected"
    for position, (item, spec) in enumerate(zip(items, declared)):
        place = f"{where}[{position}]"
        if is_multi_id(declared_id(spec["id"])):
            if not isinstance(item, list):
                return f"{place}: a list is expected for a pattern-matching id"
            lengths.append(len(item))
            problems = (_item_problem(one, spec, place, with_value) for one in item)
        else:
            problems = iter([_item_problem(item, spec, place, with_value)])
        problem = next((p for p in problems if p), None)
        if problem:
            return problem
    return None


def split_output(output: str) -> list[dict]:
    """'..a.children...b.value..' -> [{"id": "a", "property": "children"}, ...]."""
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    return [dict(zip(("id", "property"), part.rsplit(".", 1))) for part in parts]


def callback_request_problem(body: object, callback_map: dict) -> str | None:
    """What is wrong with a `/_dash-update-component` body, or None when it is well formed.

    Checks that it names a server-side callback of this app and that its outputs,
    inputs and state match that callback's declaration (ids, properties, types the
    browser fixes), so that Dash's dispatcher never meets a missing key or a wrong
    type. In this app every pattern-matched list of one callback covers the same
    form fields, so all of them must have the same length.
    """
    if not isinstance(body, dict):
        return "the callback request must be a JSON object"
    output = body.get("output")
    entry = callback_map.get(output) if isinstance(output, str) else None
    if entry is None or "callback" not in entry:
        return f"unknown callback output {shorten(output)}"
    lengths: list[int] = []
    declared_outputs = split_output(output)
    outputs = body.get("outputs")
    if not output.startswith(".."):
        outputs = [outputs]
    problem = (_list_problem(outputs, declared_outputs, "outputs", False, lengths)
               or _list_problem(body.get("inputs"), entry["inputs"], "inputs", True, lengths)
               or _list_problem(body.get("state", []), entry["state"], "state", True, lengths))
    if problem:
        return problem
    if len(set(lengths)) > 1:
        return "pattern-matched lists of one request must have the same length"
    changed = body.get("changedPropIds", [])
    known = {f"{_id_key(i['id'])}.{i['property']}" for group in body["inputs"]
             for i in (group if isinstance(group, list) else [group])}
    if not isinstance(changed, list) or any(not isinstance(c, str) or c not in known for c in changed):
        return "changedPropIds must name inputs of the request"
    return None


def _id_key(component_id: str | dict) -> str:
    """Dash's string form of an id, as in changedPropIds."""
    return dom_id(component_id) if isinstance(component_id, dict) else component_id


def form_fields(field_ids: object, allowed: Iterable[str]) -> list[str] | None:
    """The field names of a pattern-matched form's ids (`{"field": name, ...}`), in order,
    or None when they are not fields of this form."""
    allowed = set(allowed)
    if not isinstance(field_ids, list) or not field_ids:
        return None
    names = [fid.get("field") if isinstance(fid, dict) else None for fid in field_ids]
    if any(not isinstance(n, str) or n not in allowed for n in names):
        return None
    return names


def form_values(values: object, field_ids: object, allowed: Iterable[str]) -> dict[str, object] | None:
    """{field: value} of a pattern-matched form (values + their ids), or None when the
    two lists do not describe fields of this form."""
    names = form_fields(field_ids, allowed)
    if names is None or not isinstance(values, list) or len(values) != len(names):
        return None
    return dict(zip(names, values))


def display_id(raw: object) -> str:
    """A client ID from the URL as a heading may show it: '—' when absent, else shortened."""
    return "—" if raw in (None, "") else shorten(raw, MAX_ID_LENGTH)


def share(raw: object) -> float | None:
    """A probability kept in the browser (a page's store) if it is one, else None."""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and 0.0 <= raw <= 1.0:
        return float(raw)
    return None

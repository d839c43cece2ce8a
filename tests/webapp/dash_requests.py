"""Bodies of Dash callback requests as the browser posts them to `/_dash-update-component`."""
from __future__ import annotations

ROUTER_OUTPUT = "..._pages_content.children..._pages_store.data.."
AUDIT_OUTPUT = "..audit-rates.children...audit-queue.children...audit-table.children...audit-export.href.."


def callback_request(output: str, inputs: list, state: list | None = None,
                     changed: list | None = None) -> dict:
    """A callback request for `output` ("id.prop" or Dash's "..a.p...b.q.." for several)."""
    outputs = [dict(zip(("id", "property"), part.rsplit(".", 1))) for part in output.strip(".").split("...")]
    return {"output": output, "outputs": outputs if len(outputs) > 1 else outputs[0],
            "inputs": inputs, "state": state or [], "changedPropIds": changed or []}


def router_request(pathname: object, search: object = "") -> dict:
    """What Dash's page router posts when the browser's location changes."""
    return callback_request(ROUTER_OUTPUT, [
        {"id": "_pages_location", "property": "pathname", "value": pathname},
        {"id": "_pages_location", "property": "search", "value": search},
        {"id": "language-store", "property": "data", "value": "fr"}],
        changed=["_pages_location.pathname"])


def audit_request(actor: object, start: object, end: object, outcome: object, flags: object,
                  lang: object = "fr") -> dict:
    """The audit screen's filters callback."""
    inputs = [{"id": key, "property": "value", "value": value} for key, value in (
        ("audit-actor", actor), ("audit-dates-start", start), ("audit-dates-end", end),
        ("audit-outcome", outcome), ("audit-flags", flags))]
    return callback_request(AUDIT_OUTPUT, inputs + [{"id": "language-store", "property": "data", "value": lang}])

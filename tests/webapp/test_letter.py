"""The customer letter: one PDF page, read back with pypdf, in both languages."""
from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from flask import Flask
from pypdf import PdfReader

from webapp.http.letter import register_letter


@pytest.fixture(scope="module")
def client(app_state):
    server = Flask(__name__)
    register_letter(server)
    return server.test_client()


def _refused_client(state) -> int:
    matrix = pd.DataFrame(np.asarray(state.features[:300]), columns=state.feature_names)
    refused = np.asarray(state.model.predict_proba(matrix)) >= state.model.threshold_
    return int(state.clients.index[:300][refused][0])


@pytest.mark.parametrize("lang, outcome, reasons, right", [
    ("fr", "Nous ne pouvons pas accorder", "Principales raisons", "réexamine votre"),
    ("en", "We cannot grant", "Principal reasons", "review your application"),
])
def test_letter_of_a_refused_client(client, app_state, lang, outcome, reasons, right):
    from webapp.services.clients import client_result

    client_id = _refused_client(app_state)
    answer = client.get(f"/clients/{client_id}/letter.pdf?lang={lang}")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert "attachment" in answer.headers["Content-Disposition"]
    pdf = PdfReader(io.BytesIO(answer.data))
    assert len(pdf.pages) == 1
    text = " ".join(pdf.pages[0].extract_text().split())
    for expected in ("Prêt à dépenser", outcome, reasons, right, "2023/2225", str(client_id)):
        assert expected in text, expected
    for reason in client_result(client_id, 15, lang).principal_reasons:
        assert " ".join(reason.label.split()) in text
    assert ("Ce qui changerait la décision" if lang == "fr"
            else "What would change the decision") in text
    assert app_state.model.kind in text  # the model version in small print


def test_unknown_client_is_a_json_404(client):
    answer = client.get("/clients/999999999/letter.pdf?lang=en")
    assert answer.status_code == 404 and "error" in answer.get_json()
    assert client.get("/clients/abc/letter.pdf").status_code == 400

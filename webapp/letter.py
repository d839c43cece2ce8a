"""The letter to the customer: `GET /clients/<id>/letter.pdf?lang=fr|en`, one A4 page.

What an adverse-action notice must say, in the customer's words: the lender, the
date, the outcome, the principal reasons (the same ones the advisor read out and the
API returns), what would change the decision, and the customer's right to ask for a
human review and to give their point of view (Consumer Credit Directive (EU)
2023/2225, Art. 18), with the model version in small print. Built with ReportLab
(pure Python, no system library) into memory and sent as a download.
"""
from __future__ import annotations

import datetime as dt
import io
import logging
from xml.sax.saxutils import escape

from flask import Flask, Response, request

from model import config
from webapp.formatting import format_points
from webapp.i18n import normalise_language, translate

log = logging.getLogger(__name__)

TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "title": "Réponse à votre demande de crédit",
        "date": "Le {date}",
        "client": "Dossier n° {client_id}",
        "granted": "Votre demande de crédit est accordée.",
        "refused": "Nous ne pouvons pas accorder votre demande de crédit en l'état.",
        "reasons": "Principales raisons de cette décision",
        "no_reason": "Aucun élément de votre dossier n'a augmenté le risque estimé.",
        "reason": "{label}{value} : augmente le risque estimé de {amount}.",
        "change": "Ce qui changerait la décision",
        "rights": "Vos droits",
        "rights_text": ("Cette décision a été préparée à l'aide d'un traitement automatisé. "
                        "Vous pouvez demander qu'une personne de {lender} réexamine votre "
                        "demande, exprimer votre point de vue et contester la décision, en "
                        "répondant à ce courrier ou auprès de votre conseiller (directive (UE) "
                        "2023/2225 sur les crédits aux consommateurs, article 18). Aucun "
                        "attribut protégé (comme le sexe) n'est utilisé."),
        "signature": "Le service crédit de {lender}",
        "version": "Modèle {kind}, construit le {built} (empreinte {sha}). Probabilité estimée {p}, seuil {t}.",
        "days": "%d/%m/%Y",
    },
    "en": {
        "title": "Answer to your credit application",
        "date": "{date}",
        "client": "File no. {client_id}",
        "granted": "Your credit application is granted.",
        "refused": "We cannot grant your credit application as it stands.",
        "reasons": "Principal reasons for this decision",
        "no_reason": "Nothing in your file raised the estimated risk.",
        "reason": "{label}{value}: raises the estimated risk by {amount}.",
        "change": "What would change the decision",
        "rights": "Your rights",
        "rights_text": ("This decision was prepared with the help of automated processing. "
                        "You may ask for a person at {lender} to review your application, "
                        "give your point of view and contest the decision, by answering this "
                        "letter or through your advisor (Consumer Credit Directive (EU) "
                        "2023/2225, Article 18). No protected attribute (such as gender) is used."),
        "signature": "The credit department of {lender}",
        "version": "Model {kind}, built on {built} (fingerprint {sha}). Estimated probability {p}, threshold {t}.",
        "days": "%d %B %Y",
    },
}


def _t(key: str, lang: str, **values: object) -> str:
    return translate(TEXTS, key, lang, **values)


def letter_pdf(client_id: object, lang: str | None, today: dt.date | None = None) -> bytes:
    """The one-page PDF of a stored client's decision (raises `ServiceError` if unknown)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    from webapp.decision_change import client_counterfactual, counterfactual_sentences
    from webapp.formatting import format_percent
    from webapp.services.clients import client_result, get_state, parse_client_id

    lang = normalise_language(lang)
    result = client_result(client_id, 15, lang)
    change = client_counterfactual(client_id)
    state = get_state()
    today = today or dt.date.today()
    styles = getSampleStyleSheet()
    body, small = styles["BodyText"], styles["BodyText"].clone("small", fontSize=7, leading=9)

    def p(text: str, style=body) -> Paragraph:
        return Paragraph(escape(text), style)

    lender = config.LENDER_NAME
    story = [p(lender, styles["Title"]), p(_t("date", lang, date=today.strftime(_t("days", lang)))),
             p(_t("client", lang, client_id=parse_client_id(client_id))), Spacer(1, 0.4 * cm),
             p(_t("title", lang), styles["Heading2"]),
             p(_t("refused" if result.score.refused else "granted", lang))]
    story.append(p(_t("reasons", lang), styles["Heading3"]))
    for reason in result.principal_reasons or []:
        story.append(p("• " + _t("reason", lang, label=reason.label,
                                 value=f" ({reason.value})" if reason.value else "",
                                 amount=format_points(reason.probability_change, lang))))
    if not result.principal_reasons:
        story.append(p(_t("no_reason", lang)))
    if result.score.refused:
        story.append(p(_t("change", lang), styles["Heading3"]))
        story += [p(line) for line in counterfactual_sentences(change, lang)]
    story += [p(_t("rights", lang), styles["Heading3"]), p(_t("rights_text", lang, lender=lender)),
              Spacer(1, 0.6 * cm), p(_t("signature", lang, lender=lender)), Spacer(1, 1.0 * cm)]
    sha = str(state.manifest.get("files", {}).get("model.joblib", ""))[:12]
    story.append(p(_t("version", lang, kind=state.model.kind,
                      built=str(state.manifest.get("created_at", ""))[:10], sha=sha or "—",
                      p=format_percent(result.score.probability, lang),
                      t=format_percent(result.score.threshold, lang)), small))
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, leftMargin=2.2 * cm, rightMargin=2.2 * cm,
                      topMargin=2 * cm, bottomMargin=2 * cm, title=_t("title", lang),
                      author=lender).build(story)
    return buffer.getvalue()


def register_letter(server: Flask) -> None:
    """Attach `GET /clients/<id>/letter.pdf` to the Flask server."""

    @server.get("/clients/<client_id>/letter.pdf")
    def client_letter(client_id: str):
        from webapp.api import _service_error
        from webapp.services.errors import ServiceError
        from webapp.validation import parse_client_id

        lang = normalise_language(request.args.get("lang"))
        try:
            pdf = letter_pdf(client_id, lang)
        except ServiceError as error:
            return _service_error(error, client_id=client_id)
        parsed = parse_client_id(client_id)  # digits only: never the raw path text in a header
        name = f"lettre-{parsed}.pdf" if lang == "fr" else f"letter-{parsed}.pdf"
        return Response(pdf, mimetype="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

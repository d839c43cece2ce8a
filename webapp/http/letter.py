"""The letter to the customer as a PDF: `GET /clients/<id>/letter.pdf?lang=fr|en`, one A4 page.

What it says is `webapp.services.letters` (the lender's decision from the client's one
assessment, or the advisor's recorded decision); this module only lays it out with
ReportLab (pure Python, no system library), into memory, and sends it as a download.
"""
from __future__ import annotations

import datetime as dt
import io
from xml.sax.saxutils import escape

from flask import Flask, Response, request

from model import config
from webapp.http.errors import service_error_response
from webapp.i18n import normalise_language
from webapp.service_errors import ServiceError
from webapp.services import letters


def letter_pdf(client_id: object, lang: str | None, today: dt.date | None = None) -> bytes:
    """The one-page PDF of a stored client's letter (raises `ServiceError` if unknown)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    content = letters.letter(client_id, lang, today)
    styles = getSampleStyleSheet()
    # Compact enough for the longest letter (two rules, four reasons, a proposal, actions) on
    # one A4 page: every letter of the real-sample build is read back as one page in the tests.
    body = styles["BodyText"].clone("letter", fontSize=9.5, leading=12, spaceBefore=2, spaceAfter=2)
    style_of = {"lender": styles["Title"].clone("lender", fontSize=16, leading=19, spaceAfter=4),
                "title": styles["Heading2"].clone("subject", fontSize=12.5, spaceBefore=6, spaceAfter=2),
                "heading": styles["Heading3"].clone("part", fontSize=10.5, spaceBefore=6, spaceAfter=1),
                "body": body, "bullet": body.clone("bullet", leftIndent=10),
                "small": body.clone("small", fontSize=7, leading=9)}
    story = []
    for paragraph in content.paragraphs:
        text = ("• " if paragraph.style == "bullet" else "") + paragraph.text
        if paragraph.style == "small":
            story.append(Spacer(1, 0.6 * cm))
        story.append(Paragraph(escape(text), style_of[paragraph.style]))
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm,
                      topMargin=1.6 * cm, bottomMargin=1.6 * cm,
                      title=letters.TEXTS[content.lang]["title"],
                      author=config.LENDER_NAME).build(story)
    return buffer.getvalue()


def register_letter(server: Flask) -> None:
    """Attach `GET /clients/<id>/letter.pdf` to the Flask server."""

    @server.get("/clients/<client_id>/letter.pdf")
    def client_letter(client_id: str):
        from webapp.http.validation import parse_client_id

        lang = normalise_language(request.args.get("lang"))
        try:
            pdf = letter_pdf(client_id, lang)
        except ServiceError as error:
            return service_error_response(error, client_id=client_id)
        sk_id = parse_client_id(client_id)  # a valid id here: digits only in the file name
        name = f"lettre-{sk_id}.pdf" if lang == "fr" else f"letter-{sk_id}.pdf"
        return Response(pdf, mimetype="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

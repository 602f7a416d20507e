"""Letters on the authority's letterhead, as PDF (A4, reportlab).

The addressee block sits where the window of a French DL or C5 window envelope shows it
(letter folded in three or in two): 110 mm from the left edge, 45 mm from the top, 85 x 40 mm.
The rest follows the usual order of an administrative letter: letterhead, references
("Réf.", "Affaire suivie par"), place and date, "Objet :", salutation, body, and the block
naming the agent who signs (CRPA L111-2: first name, surname, title, service address).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from xml.sax.saxutils import escape

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
)

logger = logging.getLogger(__name__)

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_LEFT = 20 * mm
MARGIN_RIGHT = 20 * mm
MARGIN_BOTTOM = 22 * mm
# The window of a DL / C5 envelope (NF EN ISO 269 sizes, window on the right).
WINDOW_LEFT = 110 * mm
WINDOW_TOP = 45 * mm
WINDOW_WIDTH = 85 * mm
WINDOW_HEIGHT = 40 * mm
# Where the text of the first page starts, under the window and the references.
FIRST_PAGE_BODY_TOP = 108 * mm
LOGO_MAX_WIDTH = 35 * mm
LOGO_MAX_HEIGHT = 20 * mm

FONT = "Helvetica"
FONT_BOLD = "Helvetica-Bold"

_BODY = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=14, spaceAfter=7)
_SUBJECT = ParagraphStyle("subject", parent=_BODY, fontName=FONT_BOLD, spaceAfter=12)
_SIGNATURE = ParagraphStyle(
    "signature", parent=_BODY, leftIndent=90 * mm, spaceAfter=0, alignment=TA_LEFT
)


def _paragraph_text(text: str) -> str:
    """Plain text to reportlab's markup: escaped, line breaks kept."""
    return "<br/>".join(escape(line) for line in text.split("\n"))


def _paragraphs(body: str) -> list[str]:
    body = body.replace("\r\n", "\n").replace("\r", "\n").strip()
    return [p.strip("\n") for p in body.split("\n\n") if p.strip()]


def french_date(day: dt.date) -> str:
    """ "1er décembre 2026", "29 novembre 2026", as French letters write dates."""
    with translation.override("fr"):
        month_year = formats.date_format(day, "F Y")
    return f"{'1er' if day.day == 1 else day.day} {month_year}"


def _logo(authority) -> ImageReader | None:
    if not authority.logo:
        return None
    try:
        with authority.logo.open("rb") as handle:
            reader = ImageReader(io.BytesIO(handle.read()))
        reader.getSize()
    except Exception:  # noqa: BLE001 - an unreadable or vector logo leaves the name alone
        logger.info("Logo of authority %s not usable on letters", authority.pk)
        return None
    return reader


def _draw_lines(canvas, x, y, lines, *, font=FONT, size=8.5, leading=11):
    for line in lines:
        canvas.setFont(font, size)
        canvas.drawString(x, y, line)
        y -= leading
    return y


def _fit(canvas, text: str, font: str, size: float, width: float) -> str:
    """Cut a line that would not fit (an address block never wraps into the window's edge)."""
    while text and canvas.stringWidth(text, font, size) > width:
        text = text[:-1]
    return text


def letter_pdf(
    *,
    authority,
    addressee_name: str,
    addressee_address: str,
    subject: str,
    body: str,
    salutation: str = "",
    reference: str = "",
    service=None,
    agent=None,
    letter_date: dt.date | None = None,
    place: str = "",
) -> bytes:
    """Render one letter and return the PDF's bytes.

    `service` and `agent` give the letterhead's service lines, the "Affaire suivie par"
    line and the signature block; without an agent the service signs. The salutation is
    written before the body unless the body already opens with it."""
    letter_date = letter_date or timezone.localdate()
    place = place or authority.city or authority.public_name
    buffer = io.BytesIO()
    with translation.override("fr"):
        _build(
            buffer,
            authority=authority,
            service=service,
            agent=agent,
            addressee_name=addressee_name,
            addressee_address=addressee_address,
            subject=subject,
            body=body,
            salutation=salutation,
            reference=reference,
            letter_date=letter_date,
            place=place,
        )
    return buffer.getvalue()


def _agent_name(agent) -> str:
    if agent is None:
        return ""
    first = (agent.first_name or "").strip()
    last = (agent.last_name or "").strip().upper()
    return " ".join(p for p in (first, last) if p)


def _build(
    buffer,
    *,
    authority,
    service,
    agent,
    addressee_name,
    addressee_address,
    subject,
    body,
    salutation,
    reference,
    letter_date,
    place,
):
    logo = _logo(authority)
    agent_name = _agent_name(agent)

    def first_page(canvas, doc):
        canvas.saveState()
        top = PAGE_HEIGHT - 15 * mm
        y = top
        if logo is not None:
            width, height = logo.getSize()
            scale = min(LOGO_MAX_WIDTH / width, LOGO_MAX_HEIGHT / height)
            canvas.drawImage(
                logo,
                MARGIN_LEFT,
                top - height * scale,
                width * scale,
                height * scale,
                mask="auto",
            )
            y = top - height * scale - 5 * mm
        canvas.setFillColor(authority.primary_color or "#000000")
        canvas.setFont(FONT_BOLD, 12)
        canvas.drawString(MARGIN_LEFT, y - 3 * mm, authority.public_name)
        canvas.setFillColor("#000000")
        head = []
        if service is not None:
            head.append(service.name)
        address = (
            service.postal_address
            if service is not None
            else ", ".join(
                p
                for p in (authority.address, f"{authority.postal_code} {authority.city}".strip())
                if p
            )
        )
        if address:
            head.append(address)
        phone = (service.phone if service is not None else "") or authority.phone
        email = (service.email if service is not None else "") or authority.email
        contact_line = " · ".join(
            p for p in ((_("Tél. %(phone)s") % {"phone": phone}) if phone else "", email) if p
        )
        if contact_line:
            head.append(contact_line)
        if authority.website:
            head.append(authority.website)
        y = _draw_lines(
            canvas,
            MARGIN_LEFT,
            y - 3 * mm - 12,
            [_fit(canvas, line, FONT, 8.5, WINDOW_LEFT - MARGIN_LEFT - 5 * mm) for line in head],
        )
        # References, on the left, level with the window.
        refs = []
        if reference:
            refs.append(_("Réf. : %(reference)s") % {"reference": reference})
        if agent_name:
            refs.append(_("Affaire suivie par : %(name)s") % {"name": agent_name})
        ref_y = min(y - 6 * mm, PAGE_HEIGHT - WINDOW_TOP - 20 * mm)
        _draw_lines(canvas, MARGIN_LEFT, ref_y, refs, size=9, leading=12)
        # The addressee, in the envelope's window.
        canvas.setFont(FONT, 10.5)
        lines = [addressee_name] + [
            line.strip() for line in addressee_address.splitlines() if line.strip()
        ]
        text_y = PAGE_HEIGHT - WINDOW_TOP - 8 * mm
        for line in lines[:6]:
            canvas.drawString(
                WINDOW_LEFT + 4 * mm,
                text_y,
                _fit(canvas, line, FONT, 10.5, WINDOW_WIDTH - 8 * mm),
            )
            text_y -= 13
        # Place and date, under the window.
        canvas.setFont(FONT, 10.5)
        canvas.drawString(
            WINDOW_LEFT + 4 * mm,
            PAGE_HEIGHT - WINDOW_TOP - WINDOW_HEIGHT - 8 * mm,
            _("%(place)s, le %(date)s") % {"place": place, "date": french_date(letter_date)},
        )
        _footer(canvas, doc)
        canvas.restoreState()

    def later_pages(canvas, doc):
        canvas.saveState()
        _footer(canvas, doc)
        canvas.restoreState()

    def _footer(canvas, doc):
        canvas.setFont(FONT, 8)
        canvas.setFillColor("#555555")
        parts = [authority.public_name]
        if reference:
            parts.append(_("Réf. %(reference)s") % {"reference": reference})
        parts.append(_("page %(number)d") % {"number": doc.page})
        canvas.drawString(MARGIN_LEFT, 12 * mm, " — ".join(parts))

    width = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        title=subject,
        author=authority.public_name,
        creator="Guichet",
        leftMargin=MARGIN_LEFT,
        rightMargin=MARGIN_RIGHT,
        topMargin=20 * mm,
        bottomMargin=MARGIN_BOTTOM,
    )
    first_frame = Frame(
        MARGIN_LEFT,
        MARGIN_BOTTOM,
        width,
        PAGE_HEIGHT - FIRST_PAGE_BODY_TOP - MARGIN_BOTTOM,
        id="first",
        leftPadding=0,
        rightPadding=0,
    )
    next_frame = Frame(
        MARGIN_LEFT,
        MARGIN_BOTTOM,
        width,
        PAGE_HEIGHT - 20 * mm - MARGIN_BOTTOM,
        id="next",
        leftPadding=0,
        rightPadding=0,
    )
    doc.addPageTemplates(
        [
            PageTemplate(
                id="First", frames=[first_frame], onPage=first_page, autoNextPageTemplate="Next"
            ),
            PageTemplate(id="Next", frames=[next_frame], onPage=later_pages),
        ]
    )
    story = [Paragraph(_paragraph_text(_("Objet : %(subject)s") % {"subject": subject}), _SUBJECT)]
    paragraphs = _paragraphs(body)
    if salutation and not (
        paragraphs and paragraphs[0].lower().startswith(salutation.lower().rstrip(","))
    ):
        story.append(Paragraph(_paragraph_text(f"{salutation},"), _BODY))
    story.extend(Paragraph(_paragraph_text(p), _BODY) for p in paragraphs)
    story.append(Spacer(1, 8 * mm))
    story.append(KeepTogether(_signature(agent, agent_name, service, authority)))
    doc.build(story)


def _signature(agent, agent_name, service, authority) -> list:
    lines = []
    if agent_name:
        lines.append(f"<b>{escape(agent_name)}</b>")
        if agent.job_title:
            lines.append(escape(agent.job_title))
    if service is not None:
        lines.append(escape(service.name))
        if service.postal_address:
            lines.append(escape(service.postal_address))
    else:
        lines.append(escape(authority.public_name))
    return [Paragraph("<br/>".join(lines), _SIGNATURE)]

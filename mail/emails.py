"""The e-mails a client receives: a document, a reminder, its new portal link.

Each is a branded HTML part (company name, logo, colours; the stylesheet
inlined by css-inline, which only this module imports) and a plain-text part
(never HTML-escaped), in the client's language, with the version's PDF
attached and the portal link as the main button when the company has a portal.
"""

import datetime as dt
import re
from decimal import Decimal
from email.mime.image import MIMEImage
from typing import Any

import css_inline
from django.conf import settings
from django.core.files.storage import Storage
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from branding.selectors import (
    Brand,
    brand_for_company,
    brand_logo_plate,
    brand_logo_png,
)
from clients.models import Client
from clients.selectors import client_portal_url
from companies.money import format_day, format_money
from documents import status
from documents.late_fees import late_fees
from documents.models import ClientEmail, Document, DocumentVersion, document_storage
from mail import hooks

LOGO_CONTENT_ID = "brand-logo"
# Letters a French "de" elides before: "d'Atelier", not "de Atelier".
_FRENCH_VOWELS = "AEIOUYÀÂÆÉÈÊËÎÏÔŒÙÛÜaeiouyàâæéèêëîïôœùûü"

_inliner = css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False)


def french_elide(text: str, name: str) -> str:
    """French "de <name>" as written: "d'<name>" before a vowel."""
    if not name or name[0] not in _FRENCH_VOWELS:
        return text
    return re.sub(
        r"\b([Dd])e " + re.escape(name),
        lambda match: f"{match.group(1)}'{name}",
        text,
    )


def document_portal_url(*, client: Client, document: Document) -> str:
    """The full address of one document's page in the client's portal."""
    path = reverse(
        "portal:document",
        kwargs={"token": client.portal_token, "document_id": document.pk},
    )
    base: str = settings.PORTAL_BASE_URL
    return base.rstrip("/") + path


def _kind_label(document: Document) -> str:
    if document.kind == Document.Kind.INVOICE:
        return _("invoice %(number)s") % {"number": document.number}
    if document.kind == Document.Kind.CREDIT_NOTE:
        return _("credit note %(number)s") % {"number": document.number}
    return _("quote %(number)s") % {"number": document.number}


def _subject(email: ClientEmail, document: Document | None, company: str) -> str:
    names = {"company": company}
    if email.kind == ClientEmail.Kind.PORTAL_LINK or document is None:
        return _("Your new portal link from %(company)s") % names
    names["number"] = document.number or ""
    invoice = document.kind == Document.Kind.INVOICE
    if email.kind == ClientEmail.Kind.REMINDER:
        if invoice:
            return _("Reminder: invoice %(number)s from %(company)s") % names
        return _("Reminder: quote %(number)s from %(company)s") % names
    if invoice:
        return _("Invoice %(number)s from %(company)s") % names
    if document.kind == Document.Kind.CREDIT_NOTE:
        return _("Credit note %(number)s from %(company)s") % names
    return _("Quote %(number)s from %(company)s") % names


def _reminder_line(document: Document, today: dt.date, deadline_text: str) -> str:
    values = {"document": _kind_label(document), "date": deadline_text}
    if document.kind == Document.Kind.QUOTE:
        return _("Your %(document)s is valid until %(date)s.") % values
    deadline = document.due_date
    if deadline is None or deadline > today:
        return _("Your %(document)s is due on %(date)s.") % values
    if deadline == today:
        return _("Your %(document)s is due today.") % values
    return _("Your %(document)s was due on %(date)s and is still unpaid.") % values


def _lines(email: ClientEmail, document: Document | None, company: str) -> dict:
    """The e-mail's words, the same for its HTML and its plain-text part."""
    locale = translation.to_locale(translation.get_language())
    if document is None:
        return {
            "button_line": _("%(label)s:") % {"label": _("Open your portal")},
            "intro": _(
                "%(company)s has given you a new link to your private portal, "
                "where all your quotes and invoices are. The previous link no "
                "longer works."
            )
            % {"company": company},
            "button": _("Open your portal"),
        }
    if document.kind == Document.Kind.CREDIT_NOTE:
        return _credit_note_lines(document, company, locale)
    invoice = document.kind == Document.Kind.INVOICE
    deadline = document.due_date if invoice else document.expiry_date
    deadline_text = format_day(deadline, locale) if deadline else ""
    if email.kind == ClientEmail.Kind.REMINDER:
        intro = _reminder_line(
            document, email.reminder_date or dt.date.min, deadline_text
        )
    elif invoice:
        intro = _("%(company)s has sent you invoice %(number)s.") % {
            "company": company,
            "number": document.number,
        }
    else:
        intro = _("%(company)s has sent you quote %(number)s.") % {
            "company": company,
            "number": document.number,
        }
    # What is left to pay (nothing, rather than less, once it was paid beyond
    # what it now asks: that money is owed back, and said in the portal).
    amount = max(document.amount_due, Decimal(0)) if invoice else document.total
    facts = [
        (
            _("Amount due") if invoice else _("Amount"),
            format_money(amount, document.currency, locale),
        )
    ]
    if deadline:
        facts.append((_("Due date") if invoice else _("Valid until"), deadline_text))
    fees = (
        late_fees(document, email.reminder_date)
        if invoice and email.kind == ClientEmail.Kind.REMINDER and email.reminder_date
        else None
    )
    if fees is not None and fees.interest:
        facts.append(
            (
                _("Late-payment interest to date"),
                format_money(fees.interest, fees.currency, locale),
            )
        )
    if fees is not None and fees.indemnity:
        facts.append(
            (
                _("Fixed recovery indemnity"),
                format_money(fees.indemnity, "EUR", locale),
            )
        )
    return {
        "intro": intro,
        "facts": facts,
        # Plain text: "Amount due: …" ("Montant dû : …", French spacing).
        "fact_lines": [
            _("%(label)s: %(value)s") % {"label": label, "value": value}
            for label, value in facts
        ],
        "button": (button := _action_label(document, amount, locale)),
        "button_line": _("%(label)s:") % {"label": button},
        "attached": _("The PDF is attached to this e-mail."),
    }


def _action_label(document: Document, amount: Decimal, locale: str) -> str:
    """The button says what the client does next: pay what is due, sign or
    answer a quote, or read what asks for nothing."""
    if document.kind == Document.Kind.QUOTE:
        if not status.is_signable(document, timezone.localdate()):
            return _("View the quote")
        if document.requires_signature:
            return _("Review and sign")
        return _("Review and answer")
    if status.is_payable(document):
        return _("Pay %(amount)s") % {
            "amount": format_money(amount, document.currency, locale)
        }
    return _("View the invoice")


def _credit_note_lines(document: Document, company: str, locale: str) -> dict:
    """A credit note asks for nothing: what it takes off which invoice."""
    invoice = document.credited_invoice
    values = {
        "company": company,
        "number": document.number,
        "invoice": invoice.number if invoice is not None else "",
    }
    facts = [
        (
            _("Amount credited"),
            format_money(document.total, document.currency, locale),
        ),
        (_("Invoice"), values["invoice"]),
    ]
    return {
        "intro": _(
            "%(company)s has sent you credit note %(number)s, which takes this "
            "amount off invoice %(invoice)s."
        )
        % values,
        "facts": facts,
        "fact_lines": [
            _("%(label)s: %(value)s") % {"label": label, "value": value}
            for label, value in facts
        ],
        "button": _("View the credit note"),
        "button_line": _("%(label)s:") % {"label": _("View the credit note")},
        "attached": _("The PDF is attached to this e-mail."),
    }


def _pdf(version: DocumentVersion, storage: Storage) -> bytes:
    with storage.open(str(version.pdf_file.name), "rb") as stored:
        return stored.read()


def _registered_content(
    email: ClientEmail, company: str
) -> tuple[dict[str, Any], str, list[hooks.Attachment]] | None:
    """The words, subject and attachments of a kind another app describes."""
    make = hooks.email_contents.get(email.kind)
    if make is None:
        return None
    content = make(email, company)
    lines: dict[str, Any] = {
        "intro": content.intro,
        "facts": content.facts,
        "fact_lines": [
            _("%(label)s: %(value)s") % {"label": label, "value": value}
            for label, value in content.facts
        ],
        "button": content.button,
        "button_line": _("%(label)s:") % {"label": content.button}
        if content.button
        else "",
        "attached": _("The PDF is attached to this e-mail.")
        if content.attachments
        else "",
        "link_to_portal": content.link_to_portal,
    }
    return lines, content.subject, content.attachments


def client_email_message(*, email: ClientEmail) -> EmailMultiAlternatives:
    """The message for `email`, ready to send; its version's PDF must be stored."""
    client, document = email.client, email.document
    brand = brand_for_company(company=client.company)
    attachments: list[hooks.Attachment] = []
    with translation.override(client.locale):
        registered = _registered_content(email, brand.name)
        if registered is not None:
            lines, subject, attachments = registered
        else:
            lines = _lines(email, document, brand.name)
            subject = _subject(email, document, brand.name)
        link = None
        if client.has_portal:
            link = (
                client_portal_url(client=client)
                if document is None
                # what the client did on a document it can no longer open
                or (registered is not None and document.hidden_from_portal)
                or lines.get("link_to_portal")
                else document_portal_url(client=client, document=document)
            )
        context: dict[str, Any] = {
            "client": client,
            "company": brand.name,
            "brand": brand,
            "link": link,
            "portal_url": client_portal_url(client=client)
            if client.has_portal
            else None,
            "logo_cid": LOGO_CONTENT_ID if brand.has_logo else None,
            # The portal header's plate, so the logo reads the same in both.
            "logo_plate": brand_logo_plate(brand=brand) if brand.has_logo else "",
            **lines,
        }
        subject = french_elide(subject, brand.name)
        # One line whatever a name holds: a line break in a header refuses to send.
        subject = " ".join(subject.split())
        text = str(render_to_string("emails/client_email.txt", context))
        html = str(
            _inliner.inline(render_to_string("emails/client_email.html", context))
        )
        if translation.get_language() == "fr":
            text = french_elide(text, brand.name)
            html = french_elide(html, brand.name)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(email.recipients),
        reply_to=[client.company.email] if client.company.email else None,
    )
    message.attach_alternative(html, "text/html")
    _attach_logo(message, brand)
    if document is not None and email.version is not None:
        message.attach(
            f"{document.number}.pdf",
            _pdf(email.version, document_storage()),
            "application/pdf",
        )
    for attachment in attachments:
        message.attach(attachment.filename, attachment.data, attachment.mimetype)
    return message


def _attach_logo(message: EmailMultiAlternatives, brand: Brand) -> None:
    """The logo travels inside the e-mail (no remote image for mail clients to
    block or to track the reader with)."""
    png = brand_logo_png(brand=brand)
    if png is None:
        return
    image = MIMEImage(png, "png")
    image.add_header("Content-ID", f"<{LOGO_CONTENT_ID}>")
    image.add_header("Content-Disposition", "inline", filename="logo.png")
    message.attach(image)

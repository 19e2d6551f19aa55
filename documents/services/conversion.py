"""An accepted quote turned into a draft invoice, in one action."""

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from companies.models import Actor
from documents import events, status
from documents.models import Document
from documents.services.drafts import document_create
from documents.services.errors import DocumentError
from documents.totals import LineInput


class QuoteNotConvertible(DocumentError):
    pass


def _accepted_lines(quote: Document) -> list[LineInput]:
    """The lines of the version the client accepted, as the services take them."""
    if quote.current_version is None:
        raise QuoteNotConvertible(_("Only an accepted quote can become an invoice."))
    return [
        LineInput(
            description=line["description"],
            quantity=Decimal(line["quantity"]),
            unit_price=Decimal(line["unit_price"]),
            vat_rate=Decimal(line["vat_rate"]),
        )
        for line in quote.current_version.content["lines"]
    ]


@transaction.atomic
def quote_convert_to_invoice(
    *, quote: Document, actor: Actor, now: dt.datetime
) -> Document:
    """Make a draft invoice from an accepted quote: same client, currency, notes
    and the accepted version's lines, linked both ways, with an event on each.

    :raises QuoteNotConvertible: not an accepted quote, or already converted.
    """
    quote = (
        # unscoped: re-read under lock (its own row), the caller scoped it
        Document.objects.select_for_update(of=("self",))
        .select_related("current_version", "client", "company")
        .get(pk=quote.pk)
    )
    if not status.is_convertible(quote):
        raise QuoteNotConvertible(_("Only an accepted quote can become an invoice."))
    existing = Document.objects.for_company(quote.company).filter(source_quote=quote)
    if existing.exists():
        raise QuoteNotConvertible(
            _("This quote has already been converted into an invoice.")
        )
    try:
        with transaction.atomic():
            # Linked at creation, so its totals already take off the quote's
            # deposit invoices (reckoned again when it is finalised).
            invoice = document_create(
                company=quote.company,
                client=quote.client,
                kind=Document.Kind.INVOICE,
                lines=_accepted_lines(quote),
                actor=actor,
                now=now,
                currency=quote.currency,
                notes=quote.notes,
                operation_category=quote.operation_category,
                vat_exemption=quote.vat_exemption,
                source_quote=quote,
            )
    except IntegrityError:
        raise QuoteNotConvertible(
            _("This quote has already been converted into an invoice.")
        ) from None
    events.quote_invoiced(document=quote, invoice=invoice, actor=actor, at=now)
    events.invoice_from_quote(document=invoice, quote=quote, actor=actor, at=now)
    return invoice

"""Bank transfers: the client says it paid, the owner records it once received."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from clients.services import client_portal_revision_bump
from companies.errors import ActionRefused
from companies.models import Actor
from companies.money import format_day, format_money
from documents import events, status
from documents.models import ClientEmail, Document
from mail import hooks as mail_hooks
from mail.services import client_notice_request
from payments.models import Payment, TransferDeclaration
from payments.services import recording
from payments.services.transfer_batches import transfer_batch_declared_email_content

PAID_WITH_OTHERS = gettext_noop(
    "This transfer pays several invoices: record it, or mark it as not "
    "received, from its page among the transfers for several invoices."
)


class DeclarationRefused(ActionRefused):
    """A declaration that cannot be made; the message is for the client."""


def open_declaration(*, invoice: Document) -> TransferDeclaration | None:
    return (
        invoice.transfer_declarations.waiting().order_by("-declared_at", "-pk").first()
    )


@transaction.atomic
def transfer_declare(
    *,
    invoice: Document,
    client_name: str,
    paid_on_date: dt.date | None,
    now: dt.datetime,
) -> TransferDeclaration:
    """The client says it paid by transfer: nothing changes status, the history
    says so and the owner sees it among the declared transfers. Saying it again
    while the first is unanswered changes nothing.

    :raises DeclarationRefused: nothing left to pay, or a date in the future or
        before the invoice was issued.
    """
    invoice = recording.invoice_lock(invoice.pk)
    if not status.is_payable(invoice):
        raise DeclarationRefused(_("This invoice has nothing left to pay."))
    if paid_on_date is not None and paid_on_date > timezone.localdate(now):
        raise DeclarationRefused(_("The date of the transfer cannot be in the future."))
    if paid_on_date is not None and paid_on_date < invoice.issue_date:
        raise DeclarationRefused(
            _("The date of the transfer cannot be before the invoice was issued.")
        )
    existing = open_declaration(invoice=invoice)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            declaration = TransferDeclaration.objects.create(
                company_id=invoice.company_id,
                invoice=invoice,
                amount=invoice.amount_due,
                paid_on_date=paid_on_date,
                declared_at=now,
            )
    except IntegrityError:  # declared at this very moment by another request
        declared = open_declaration(invoice=invoice)
        if declared is None:
            raise
        return declared
    events.invoice_transfer_declared(
        document=invoice,
        at=now,
        client_name=client_name,
        paid_on=paid_on_date.isoformat() if paid_on_date else "",
    )
    client_notice_request(
        client=invoice.client,
        document=invoice,
        kind=ClientEmail.Kind.TRANSFER_DECLARED,
        now=now,
    )
    client_portal_revision_bump(client_id=invoice.client_id)
    return declaration


@transaction.atomic
def transfer_declaration_record(
    *, declaration: TransferDeclaration, actor: Actor, now: dt.datetime
) -> Payment:
    """ "Record this payment": the transfer the client declared has arrived.

    Records the amount declared (or what is still due, if less by now) as a
    transfer received on the day the client gave, or today.

    :raises PaymentRefused: recorded already, the invoice is not open now, or
        it was declared with others (recorded with them: `transfer_batches`).
    """
    invoice = recording.invoice_lock(declaration.invoice_id)
    declaration = invoice.transfer_declarations.select_for_update().get(
        pk=declaration.pk
    )
    if declaration.payment_id is not None:
        raise recording.PaymentRefused(_("This transfer was recorded already."))
    if declaration.rejected_at is not None:
        raise recording.PaymentRefused(_("This transfer was rejected."))
    if declaration.batch_id is not None:
        raise recording.PaymentRefused(_(PAID_WITH_OTHERS))
    received_at = now
    if declaration.paid_on_date is not None:
        received_at = dt.datetime.combine(
            declaration.paid_on_date, dt.time(12), tzinfo=now.tzinfo
        )
    payment = recording.payment_record(
        invoice=invoice,
        amount=min(declaration.amount, invoice.amount_due),
        method=Payment.Method.TRANSFER,
        actor=actor,
        now=now,
        received_at=received_at,
        note=_("Declared by the client"),
    )
    declaration.payment = payment
    declaration.save(update_fields=["payment", "updated_at"])
    return payment


@transaction.atomic
def transfer_declaration_reject(
    *, declaration: TransferDeclaration, actor: Actor, now: dt.datetime
) -> TransferDeclaration:
    """ "Not received": the transfer the client declared never arrived. The
    invoice shows as to pay again, without the declaration, and the client
    may declare a transfer anew.

    :raises PaymentRefused: recorded or rejected already, or declared with
        others (answered with them: `transfer_batches`).
    """
    invoice = recording.invoice_lock(declaration.invoice_id)
    declaration = invoice.transfer_declarations.select_for_update().get(
        pk=declaration.pk
    )
    if declaration.payment_id is not None:
        raise recording.PaymentRefused(_("This transfer was recorded already."))
    if declaration.rejected_at is not None:
        raise recording.PaymentRefused(_("This transfer was rejected already."))
    if declaration.batch_id is not None:
        raise recording.PaymentRefused(_(PAID_WITH_OTHERS))
    declaration.rejected_at = now
    declaration.rejected_by = actor
    declaration.save(update_fields=["rejected_at", "rejected_by", "updated_at"])
    client_portal_revision_bump(client_id=invoice.client_id)
    return declaration


def transfer_declared_email_content(
    email: ClientEmail, company: str
) -> mail_hooks.EmailContent:
    """ "We will confirm when it arrives": what the client declared, in its words."""
    invoice = email.document
    if invoice is None:  # never written without its invoice
        raise ValueError("A declared transfer's e-mail names its invoice.")
    declaration = (
        invoice.transfer_declarations.filter(declared_at__lte=email.requested_at)
        .order_by("-declared_at", "-pk")
        .first()
    )
    batch = declaration.batch if declaration is not None else None
    if batch is not None:  # one transfer for several invoices: one e-mail for all
        return transfer_batch_declared_email_content(batch, company)
    locale = translation.to_locale(translation.get_language())
    amount = declaration.amount if declaration is not None else invoice.amount_due
    facts = [
        (_("Invoice"), invoice.number or ""),
        (_("Amount declared"), format_money(amount, invoice.currency, locale)),
    ]
    if declaration is not None and declaration.paid_on_date is not None:
        facts.append((_("Paid on"), format_day(declaration.paid_on_date, locale)))
    return mail_hooks.EmailContent(
        subject=_("Your transfer for invoice %(number)s") % {"number": invoice.number},
        intro=_(
            "You told %(company)s that you have paid invoice %(number)s by bank "
            "transfer. We will confirm when it arrives on the account, with a "
            "receipt."
        )
        % {"company": company, "number": invoice.number},
        facts=facts,
        button=_("View the invoice"),
    )

"""Every rule about where a document stands and what may happen to it next.

What the client sees of a document (`ClientStatus`: the stored status, plus
overdue, expired and awaiting signature, which depend on the date), and whether
it may be edited, canceled, paid or answered. The back office, the portal,
payments and the templates all ask here; a service asks again under the row
lock of the change it guards.

The client status exists twice, once per world: `client_status()` for a
document in hand, `client_status_expression()` for the database, which filters,
orders and labels lists with it. `tests/documents/test_status.py` pins that the
two agree for every status and date case.
"""

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict

from django.db import models
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from documents.models import Document

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Kind = Document.Kind
Status = Document.Status


class ClientStatus(models.TextChoices):
    """A document's status as its client sees it (a draft only in the back
    office: drafts never reach the portal)."""

    DRAFT = "draft", _("Draft")
    TO_PAY = "to_pay", _("To pay")
    OVERDUE = "overdue", _("Overdue")
    PARTIALLY_PAID = "partially_paid", _("Partially paid")
    # Paid by a bank debit that Stripe has not confirmed yet.
    PROCESSING = "processing", _("Processing")
    PAID = "paid", _("Paid")
    AWAITING_SIGNATURE = "awaiting_signature", _("Awaiting signature")
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    CANCELED = "canceled", _("Canceled")
    CREDIT_NOTE = "credit_note", _("Credit note")


# The statuses a client may see of each kind, in the order filters list them.
# The invoices tab lists credit notes too, so its filter offers them.
CLIENT_STATUSES: dict[str, tuple[ClientStatus, ...]] = {
    Kind.INVOICE: (
        ClientStatus.TO_PAY,
        ClientStatus.OVERDUE,
        ClientStatus.PARTIALLY_PAID,
        ClientStatus.PROCESSING,
        ClientStatus.PAID,
        ClientStatus.CANCELED,
        ClientStatus.CREDIT_NOTE,
    ),
    Kind.QUOTE: (
        ClientStatus.AWAITING_SIGNATURE,
        ClientStatus.PENDING,
        ClientStatus.ACCEPTED,
        ClientStatus.DECLINED,
        ClientStatus.EXPIRED,
        ClientStatus.CANCELED,
    ),
}

# Labels that agree with the document's grammatical gender where a language
# has one: in French an invoice (une facture) is "Annulée", a quote (un devis)
# "Annulé". Every other status is used by one gender only ("Payée", "Accepté").
GENDERED_LABELS: "dict[tuple[str, ClientStatus], StrOrPromise]" = {
    (Kind.INVOICE, ClientStatus.CANCELED): pgettext_lazy("invoice", "Canceled"),
    (Kind.QUOTE, ClientStatus.CANCELED): pgettext_lazy("quote", "Canceled"),
}


def client_status_label(status: ClientStatus, kind: str) -> str:
    """The label of `status` on a document of `kind`, agreed with its gender."""
    return str(GENDERED_LABELS.get((kind, status), status.label))


# An invoice that still expects money, late or not.
OPEN_INVOICE_STATUSES = (Status.TO_PAY, Status.PARTIALLY_PAID)
# An invoice whose status follows the money it received, gave back or had
# credited.
MONEY_STATUSES = (*OPEN_INVOICE_STATUSES, Status.PAID)
# Content can change (as a new version once finalised) only in these statuses,
# and never once money was received.
EDITABLE_STATUSES = (Status.DRAFT, Status.TO_PAY, Status.PENDING)
CANCELABLE_STATUSES = (Status.TO_PAY, Status.PENDING)


def client_status(document: Document, today: dt.date) -> ClientStatus:
    """What the client sees of `document` on `today`."""
    if is_processing(document):
        return ClientStatus.PROCESSING
    if is_overdue(document, today):
        return ClientStatus.OVERDUE
    if document.kind == Kind.QUOTE and document.status == Status.PENDING:
        if document.expiry_date is not None and document.expiry_date < today:
            return ClientStatus.EXPIRED
        if document.requires_signature:
            return ClientStatus.AWAITING_SIGNATURE
    if document.kind == Kind.CREDIT_NOTE:
        return ClientStatus.CREDIT_NOTE
    return ClientStatus(document.status)


# What a client owes, and what of it is late, is decided here and nowhere
# else: the portal, the dashboard, the client's page and list, reminders and
# statements all ask `owed` and `overdue` (or their Python twins), through
# `documents.selectors.balance` where they add up amounts.


def is_processing(document: Document) -> bool:
    """An open invoice whose payment (a bank debit) Stripe has not confirmed."""
    return (
        document.kind == Kind.INVOICE
        and document.status in OPEN_INVOICE_STATUSES
        and document.amount_processing > 0
    )


def is_owed(document: Document) -> bool:
    """An open invoice its client still has to pay. One whose payment is
    processing is not: the client paid, the bank has not confirmed."""
    return (
        document.kind == Kind.INVOICE
        and document.status in OPEN_INVOICE_STATUSES
        and document.amount_processing == 0
    )


def is_overdue(document: Document, today: dt.date) -> bool:
    """An owed invoice past its due date."""
    return (
        is_owed(document)
        and document.due_date is not None
        and document.due_date < today
    )


def processing() -> Q:
    """`is_processing` in SQL."""
    return Q(
        kind=Kind.INVOICE, status__in=OPEN_INVOICE_STATUSES, amount_processing__gt=0
    )


def owed() -> Q:
    """`is_owed` in SQL."""
    return Q(kind=Kind.INVOICE, status__in=OPEN_INVOICE_STATUSES, amount_processing=0)


def overdue(today: dt.date) -> Q:
    """`is_overdue` in SQL."""
    return owed() & Q(due_date__lt=today)


def _expired(today: dt.date) -> Q:
    return Q(kind=Kind.QUOTE, status=Status.PENDING, expiry_date__lt=today)


def client_status_expression(today: dt.date) -> Case:
    """`client_status()` in SQL, for any mix of kinds."""
    return Case(
        When(processing(), then=Value(ClientStatus.PROCESSING.value)),
        When(overdue(today), then=Value(ClientStatus.OVERDUE.value)),
        When(_expired(today), then=Value(ClientStatus.EXPIRED.value)),
        When(
            Q(kind=Kind.QUOTE, status=Status.PENDING, requires_signature=True),
            then=Value(ClientStatus.AWAITING_SIGNATURE.value),
        ),
        When(Q(kind=Kind.CREDIT_NOTE), then=Value(ClientStatus.CREDIT_NOTE.value)),
        default=F("status"),
        output_field=models.CharField(),
    )


class ClientStatusAnnotation(TypedDict):
    client_status: str


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    DocumentWithClientStatus = WithAnnotations[Document, ClientStatusAnnotation]
else:
    DocumentWithClientStatus = Document


def with_client_status(
    queryset: QuerySet[Document], today: dt.date
) -> QuerySet[DocumentWithClientStatus]:
    """The documents annotated with `client_status`: filter on it, print it."""
    return queryset.annotate(client_status=client_status_expression(today))


def awaiting_client(kind: str, today: dt.date) -> Q:
    """The documents of `kind` that wait on their client: an invoice to pay
    (overdue ones included, not one whose payment is processing), a quote to
    answer before it expires."""
    if kind == Kind.INVOICE:
        return owed()
    return Q(status=Status.PENDING) & (
        Q(expiry_date__gte=today) | Q(expiry_date__isnull=True)
    )


def is_editable(document: Document) -> bool:
    """Its content may change: a draft, or an unpaid, uncredited open document
    (as a new version). A deposit invoice is issued whole from its quote and a
    credit note from its invoice: neither changes afterwards."""
    return (
        document.status in EDITABLE_STATUSES
        and document.amount_paid == 0
        and document.amount_processing == 0
        and document.amount_credited == 0
        and not document.is_deposit
    )


def money_held(document: Document) -> Decimal:
    """The client's money the business holds on it: received, less refunded."""
    return document.amount_paid - document.amount_refunded


def amount_owed_back(document: Document) -> Decimal:
    """What the business owes its client on an invoice until it refunds it:
    money received beyond what the invoice now asks for (an overpayment, or a
    credit note issued after the client paid)."""
    return max(-document.amount_due, Decimal(0))


def is_cancelable(document: Document) -> bool:
    """An open quote, or an open invoice that holds none of the client's money
    (nothing received, or all of it refunded) and has none on its way: a quote
    is canceled in place, an invoice by a credit note for all it still
    carries. An invoice holding money is credited through a credit note for an
    amount, which says what then becomes owed back to the client: one click
    never makes a debt to the client."""
    return (
        document.status in CANCELABLE_STATUSES
        and document.kind in (Kind.QUOTE, Kind.INVOICE)
        and money_held(document) == 0
        and document.amount_processing == 0
    )


def is_creditable(document: Document) -> bool:
    """A finalised invoice, open or paid, with something left to take back and
    no payment on its way, may receive a credit note for an amount (a deposit
    invoice only for all it carries: the final invoice deducts it whole)."""
    return (
        document.kind == Kind.INVOICE
        and document.status in MONEY_STATUSES
        and document.amount_processing == 0
        and creditable_amount(document) > 0
    )


def creditable_amount(document: Document) -> Decimal:
    """What credit notes may still take off an invoice: its total, less what
    they took already. Paid or not: what a credit note takes beyond what is
    unpaid is owed back to the client (`amount_owed_back`), and refunded from
    the payment."""
    return document.total - document.amount_credited


def is_depositable(document: Document) -> bool:
    """An accepted quote may be billed: by deposit invoices, then a final one."""
    return document.kind == Kind.QUOTE and document.status == Status.ACCEPTED


def is_payable(document: Document) -> bool:
    """An open invoice with something left to pay and no payment processing."""
    return (
        document.kind == Kind.INVOICE
        and document.status in OPEN_INVOICE_STATUSES
        and document.amount_due > 0
        and document.amount_processing == 0
    )


def is_sendable(document: Document) -> bool:
    """A document that may be e-mailed to its client: finalised, and shown in
    its portal (the e-mail links to it there)."""
    return not document.is_draft and not document.hidden_from_portal


def is_answerable(document: Document) -> bool:
    """A pending quote: the business may record its client's answer, late or not."""
    return document.kind == Kind.QUOTE and document.status == Status.PENDING


def is_signable(document: Document, today: dt.date) -> bool:
    """A pending quote the client may still sign, accept or decline: not expired."""
    return is_answerable(document) and not (
        document.expiry_date is not None and document.expiry_date < today
    )


def is_convertible(document: Document) -> bool:
    """An accepted quote: the business may turn it into a draft invoice (once:
    the invoice's `source_quote` is unique)."""
    return document.kind == Kind.QUOTE and document.status == Status.ACCEPTED


def status_after_payment(document: Document) -> str:
    """An invoice's status once a payment, a refund or a credit note changed its
    amounts: paid when nothing is left due, partially paid while some money
    stays, to pay otherwise. Any other status (canceled, a draft) stays as it
    is."""
    if document.kind != Kind.INVOICE or document.status not in MONEY_STATUSES:
        return document.status
    if document.amount_due <= 0:
        return Status.PAID
    if money_held(document) > 0:
        return Status.PARTIALLY_PAID
    return Status.TO_PAY


def status_after_credit(document: Document) -> str:
    """An invoice's status once a credit note took its share off it: canceled
    when credited whole (whatever it received is then owed back), else as its
    money says."""
    if document.amount_credited >= document.total:
        return Status.CANCELED
    return status_after_payment(document)

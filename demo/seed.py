"""Seeding the demo: demo.data's companies, members, clients and documents made real.

Everything is made through the services, as the back office would, so the demo
shows real histories, real versions and real numbering. Seeding is idempotent:
a database that already holds the demo is left as it is.
"""

import datetime as dt
import logging
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from branding import services as branding_services
from clients.models import Client
from clients.services import client_create
from companies.models import Company, Membership, User
from demo.data import (
    ASSETS,
    ATELIER,
    CLIENT_TERMS,
    CLIENTS,
    COMPANIES,
    INVOICE,
    PASSWORD,
    PLANS,
    QUOTE,
    CompanySpec,
    Later,
)
from documents import services as document_services
from documents.models import Document
from mail import services as mail_services
from payments import services as payment_services
from payments import stripe_gateway
from payments.models import StripeAccount
from payments.services import invoice_mark_paid, payment_record
from printing.store import version_pdf_ensure
from signing import services as signing_services
from transmission import services as transmission_services

logger = logging.getLogger(__name__)


def is_seeded() -> bool:
    return Company.objects.filter(name=ATELIER.name).exists()


def seed(*, now: dt.datetime | None = None) -> bool:
    """Create the demo data unless it is there. Returns whether anything was made.

    With STRIPE_SECRET_KEY set, each add-on company is also connected to a
    Stripe account (made through the Accounts API), so the demo takes card
    payments; without it, or when Stripe cannot be reached, it takes transfers.
    With EINVOICING_FLOW_URL set, each French company is connected to that
    approved platform (EINVOICING_* settings) before its documents are issued,
    so its B2B invoices are submitted by the worker.
    The documents it sends are e-mailed through the configured backend: the
    demo command gives it a folder of files (var/demo/mail/), debug mode the
    console, the tests their outbox.
    """
    created = False
    with transaction.atomic():
        if not is_seeded():
            now = now or timezone.now()
            for spec in COMPANIES:
                company = _company(spec, now)
                _catalogue(company, now)
                _documents(company, now)
            created = True
    stripe_connect(now=now or timezone.now())
    return created


def stripe_connect(*, now: dt.datetime) -> list[str]:
    """Connect each add-on demo company without an account to Stripe; returns
    what could not be done (Stripe is reached outside any transaction)."""
    if not stripe_gateway.is_configured():
        return []
    problems = []
    for spec in COMPANIES:
        company = Company.objects.filter(name=spec.name).first()
        if (
            company is None
            or not company.has_receivables_addon
            or StripeAccount.objects.for_company(company).exists()
        ):
            continue
        try:
            payment_services.stripe_account_ensure(company=company, now=now, actor=None)
        except payment_services.StripeConnectFailed as exc:
            problems.append(f"{company.name}: {exc}")
            logger.warning("Demo: %s not connected to Stripe: %s", company.name, exc)
    return problems


def _company(spec: CompanySpec, now: dt.datetime) -> Company:
    company = Company.objects.create(
        name=spec.name,
        legal_name=spec.legal_name,
        address=spec.address,
        vat_number=spec.vat_number,
        registration_number=spec.registration_number,
        legal_form=spec.legal_form,
        rcs_city=spec.rcs_city,
        share_capital=Decimal(spec.share_capital) if spec.share_capital else None,
        country=spec.country,
        vat_on_debits=spec.country == "FR",
        email=f"billing@{spec.members[0].email.split('@')[1]}",
        iban=spec.iban,
        bic=spec.bic,
        default_currency="EUR" if spec.locale == "fr" else "GBP",
        default_locale=spec.locale,
        has_receivables_addon=spec.has_receivables_addon,
    )
    for member in spec.members:
        user = User.objects.filter(email=member.email).first()
        if user is None:
            user = User.objects.create_user(
                member.email, PASSWORD, full_name=member.full_name
            )
        Membership.objects.create(user=user, company=company, role=member.role)
    # With EINVOICING_FLOW_URL set (a stand-in or a real platform's sandbox),
    # a French company sends its e-invoices there from its first one.
    transmission_services.platform_connection_from_environment(company=company, now=now)
    transmission_services.chorus_connection_from_environment(company=company, now=now)
    if spec.brand is not None:
        primary, accent, logo_file = spec.brand
        branding_services.brand_kit_save(
            company=company,
            actor=None,
            now=now,
            display_name=spec.name,
            primary_colour=primary,
            accent_colour=accent,
            logo=SimpleUploadedFile(
                logo_file, (ASSETS / logo_file).read_bytes(), content_type="image/png"
            ),
        )
    return company


def _catalogue(company: Company, now: dt.datetime) -> None:
    """The products and services the company's documents bill, as its
    catalogue: a new invoice picks them by name."""
    seen: set[str] = set()
    for plan in PLANS[company.name]:
        for line in plan.lines:
            name = line.description.strip()[:200]
            if name in seen:
                continue
            seen.add(name)
            document_services.catalogue_item_save(
                company=company,
                actor=None,
                now=now,
                name=name,
                unit="",
                unit_price=line.unit_price,
                vat_rate=line.vat_rate,
            )


def _documents(company: Company, now: dt.datetime) -> None:
    """Issue the company's planned documents oldest first, each at its own date.

    Finalising in date order keeps the numbers chronological, as French law
    wants them, and every event carries the moment it would really have had.
    """
    owner = (
        Membership.objects.filter(company=company, role=Membership.Role.OWNER)
        .select_related("user")
        .order_by("pk")[0]
        .user
    )
    clients = {
        name: client_create(
            company=company,
            now=now,
            name=name,
            email=email,
            locale=locale,
            address=address,
            country=country,
            siren=siren,
            vat_number=vat_number,
            delivery_address=delivery_address,
            payment_terms_days=CLIENT_TERMS.get(name, (None, False))[0],
            payment_terms_end_of_month=CLIENT_TERMS.get(name, (None, False))[1],
        )
        for name, email, locale, address, (
            country,
            siren,
            vat_number,
            delivery_address,
        ) in CLIENTS[company.name]
    }
    today = timezone.localdate(now)
    plans = sorted(PLANS[company.name], key=lambda plan: -plan.days_ago)
    # What the owner does later happens in date order among the documents
    # issued meanwhile: a deposit invoice then takes its number in turn.
    pending: list[tuple[dt.datetime, int, Document, Later]] = []

    def catch_up(until: dt.datetime) -> None:
        pending.sort(key=lambda item: (item[0], item[1]))
        while pending and pending[0][0] <= until:
            at, _order, document, later = pending.pop(0)
            _do_later(document, later, owner, at)

    for plan in plans:
        issue_date = today - dt.timedelta(days=plan.days_ago)
        issued_at = min(
            now,
            timezone.make_aware(dt.datetime.combine(issue_date, dt.time(9, 30))),
        )
        catch_up(issued_at - dt.timedelta(microseconds=1))
        term = issue_date + dt.timedelta(days=plan.term_days)
        document = document_services.document_create(
            company=company,
            client=clients[plan.client],
            kind=plan.kind,
            lines=plan.lines,
            actor=owner,
            now=issued_at,
            issue_date=issue_date,
            requires_signature=plan.requires_signature,
            due_date=term if plan.kind == INVOICE else None,
            expiry_date=term if plan.kind == QUOTE else None,
        )
        if not plan.final:
            continue
        document_services.document_finalise(
            document=document, actor=owner, now=issued_at
        )
        if plan.send:
            mail_services.document_send(document=document, actor=owner, now=issued_at)
        for later in plan.later:
            at = min(now, issued_at + dt.timedelta(days=later.days, hours=4))
            pending.append((at, len(pending), document, later))
    catch_up(now)


def _do_later(document: Document, later: Later, owner: User, at: dt.datetime) -> None:
    document.refresh_from_db()
    match later.action:
        case "pay":
            payment_record(
                invoice=document,
                amount=Decimal(later.amount),
                method="transfer",
                actor=owner,
                now=at,
            )
        case "mark_paid":
            invoice_mark_paid(invoice=document, actor=owner, now=at)
        case "cancel":
            document_services.document_cancel(document=document, actor=owner, now=at)
        case "accept":
            signing_services.quote_accept(quote=document, actor=owner, now=at)
        case "decline":
            signing_services.quote_decline(
                quote=document, actor=owner, now=at, reason=later.reason
            )
        case "hide":
            document_services.document_hide(document=document, actor=owner, now=at)
        case "sign":
            _client_signs(document, at)
        case "credit":
            document_services.invoice_credit_partly(
                invoice=document,
                amount=Decimal(later.amount),
                reason=later.reason,
                actor=owner,
                now=at,
            )
        case "deposit":
            document_services.deposit_invoice_issue(
                quote=document,
                percent=Decimal(later.amount),
                due_date=timezone.localdate(at) + dt.timedelta(days=15),
                actor=owner,
                now=at,
            )
        case "final_invoice":
            final = document_services.quote_convert_to_invoice(
                quote=document, actor=owner, now=at
            )
            document_services.document_update(
                document=final,
                lines=document_services.document_lines(final),
                actor=owner,
                now=at,
                due_date=timezone.localdate(at) + dt.timedelta(days=30),
            )
            document_services.document_finalise(document=final, actor=owner, now=at)
            mail_services.document_send(document=final, actor=owner, now=at)
        case "revise":
            due_date = document.due_date
            if due_date is not None and later.extend_days:
                due_date += dt.timedelta(days=later.extend_days)
            document_services.document_update(
                document=document,
                lines=document_services.document_lines(document),
                actor=owner,
                now=at,
                notes=document.notes if later.notes is None else later.notes,
                purchase_order=later.purchase_order or document.purchase_order,
                due_date=due_date,
            )


def _client_signs(quote: Document, at: dt.datetime) -> None:
    """The client signs from its phone, by typing its name (as without JavaScript)."""
    assert quote.current_version is not None  # a finalised quote has one
    version = version_pdf_ensure(version=quote.current_version)
    signing_services.quote_sign(
        quote=quote,
        version_number=version.number,
        version_pdf_sha256=version.pdf_sha256,
        signer_name="Marie Lefèvre",
        signer_email=quote.client.email,
        consent=True,
        method="typed",
        signature_png=None,
        typed_name="Marie Lefèvre",
        language=quote.client.locale,
        origin=signing_services.RequestOrigin(
            ip_address="192.0.2.44",
            user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X)",
        ),
        now=at,
    )


def summary() -> dict:
    """The demo as one JSON-ready document: companies, logins, portals, documents."""
    companies = []
    for spec in COMPANIES:
        company = Company.objects.get(name=spec.name)
        members = [
            {"email": member.user.email, "password": PASSWORD, "role": member.role}
            for member in Membership.objects.filter(company=company)
            .select_related("user")
            .order_by("pk")
        ]
        clients = []
        for client in Client.objects.for_company(company).order_by("pk"):
            documents = [
                {
                    "id": document.pk,
                    "kind": document.kind,
                    "number": document.number,
                    "status": document.status,
                    "hidden": document.hidden_from_portal,
                    "versions": document.versions.count(),
                    "total": str(document.total),
                    # Only an invoice asks for money; below zero it is owed
                    # back to the client.
                    "amount_due": str(document.amount_due)
                    if document.kind == INVOICE
                    else None,
                    "amount_credited": str(document.amount_credited),
                    "credited_invoice": document.credited_invoice.number
                    if document.credited_invoice
                    else None,
                    "currency": document.currency,
                }
                for document in Document.objects.for_company(company)
                .filter(client=client)
                .select_related("credited_invoice")
                .order_by("kind", "pk")
            ]
            clients.append(
                {
                    "name": client.name,
                    # Where its e-mails (receipts, signed copies…) go, in
                    # which language.
                    "email": client.email,
                    "language": client.locale,
                    "portal_url": reverse("portal:home", args=[client.portal_token]),
                    "documents": documents,
                }
            )
        account = StripeAccount.objects.for_company(company).first()
        companies.append(
            {
                "name": company.name,
                "has_receivables_addon": company.has_receivables_addon,
                "stripe_account": account.account_id if account else None,
                "members": members,
                "clients": clients,
            }
        )
    return {"admin_url": reverse("admin:index"), "companies": companies}

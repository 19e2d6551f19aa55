"""The demo's data: three companies, a member of every role, documents in every state.

Everything is made through the services, as the back office would, so the demo
shows real histories, real versions and real numbering. Seeding is idempotent:
a database that already holds the demo is left as it is.
"""

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from branding import services as branding_services
from clients.models import Client
from clients.services import client_create
from companies.models import Company, Membership, User
from documents import services as document_services
from documents.models import Document
from documents.pdf_store import version_pdf_ensure
from documents.totals import LineInput
from payments import services as payment_services
from payments import stripe_gateway
from payments.models import StripeAccount
from payments.services import invoice_mark_paid, payment_record

logger = logging.getLogger(__name__)
ASSETS = Path(__file__).resolve().parent / "assets"
PASSWORD = "portal-demo-2026"


@dataclass(frozen=True)
class Member:
    email: str
    role: str
    full_name: str


@dataclass(frozen=True)
class CompanySpec:
    name: str
    legal_name: str
    address: str
    vat_number: str
    registration_number: str
    country: str
    iban: str
    bic: str
    locale: str
    has_receivables_addon: bool
    members: tuple[Member, ...]
    brand: tuple[str, str, str] | None  # primary colour, accent colour, logo file


ATELIER = CompanySpec(
    name="Atelier Lumière",
    legal_name="Atelier Lumière SARL",
    address="18 rue des Vinaigriers\n75010 Paris\nFrance",
    vat_number="FR19812345676",
    registration_number="812345676",  # a SIREN: nine digits, Luhn-valid
    country="FR",
    iban="FR76 3000 6000 0112 3456 7890 189",
    bic="AGRIFRPP",
    locale="fr",
    has_receivables_addon=True,
    members=(
        Member("owner@atelier.example", Membership.Role.OWNER, "Camille Durand"),
        Member("admin@atelier.example", Membership.Role.ADMIN, "Louis Martin"),
        Member("manager@atelier.example", Membership.Role.MANAGER, "Inès Petit"),
        Member("reporting@atelier.example", Membership.Role.REPORTING, "Hugo Bernard"),
    ),
    brand=("#1F3A5F", "#F2A541", "atelier-lumiere.png"),
)
NORTHWIND = CompanySpec(
    name="Northwind Studio",
    legal_name="Northwind Studio Ltd",
    address="4 Harbour Street\nBristol BS1 4RN\nUnited Kingdom",
    vat_number="GB123456789",
    registration_number="09876543",  # Companies House, not a SIREN
    country="GB",
    iban="GB33 BUKB 2020 1555 5555 55",
    bic="BUKBGB22",
    locale="en",
    has_receivables_addon=True,
    members=(
        Member("owner@northwind.example", Membership.Role.OWNER, "Grace Hopper"),
        # One person in two companies, to show the company switcher.
        Member("admin@atelier.example", Membership.Role.ADMIN, "Louis Martin"),
    ),
    brand=("#14532D", "#FACC15", "northwind-studio.png"),
)
BOULANGERIE = CompanySpec(
    name="Boulangerie du Coin",
    legal_name="Boulangerie du Coin EURL",
    address="2 place du Marché\n69002 Lyon\nFrance",
    vat_number="FR28498765437",
    registration_number="498765437",
    country="FR",
    iban="FR76 1027 8073 0000 0205 7890 144",
    bic="CMCIFR2A",
    locale="fr",
    has_receivables_addon=False,
    members=(
        Member("owner@boulangerie.example", Membership.Role.OWNER, "Paul Boulanger"),
    ),
    brand=None,
)
COMPANIES = (ATELIER, NORTHWIND, BOULANGERIE)


def _line(
    description: str, quantity: str, unit_price: str, vat_rate: str = "20"
) -> LineInput:
    return LineInput(
        description, Decimal(quantity), Decimal(unit_price), Decimal(vat_rate)
    )


def is_seeded() -> bool:
    return Company.objects.filter(name=ATELIER.name).exists()


def seed(*, now: dt.datetime | None = None) -> bool:
    """Create the demo data unless it is there. Returns whether anything was made.

    With STRIPE_SECRET_KEY set, each add-on company is also connected to a
    Stripe account (made through the Accounts API), so the demo takes card
    payments; without it, or when Stripe cannot be reached, it takes transfers.
    The documents it sends are e-mailed through the configured backend: the
    demo command gives it a folder of files (var/demo/mail/), debug mode the
    console, the tests their outbox.
    """
    created = False
    with transaction.atomic():
        if not is_seeded():
            now = now or timezone.now()
            for spec in COMPANIES:
                _documents(_company(spec, now), now)
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
            payment_services.stripe_account_ensure(company=company, now=now)
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


@dataclass(frozen=True)
class Later:
    """Something the owner does to a document some days after issuing it."""

    days: int
    # pay, mark_paid, cancel, accept, decline, revise, hide, sign, credit (a
    # partial credit note), deposit (a percentage of an accepted quote),
    # final_invoice (the quote converted, deducting its deposits)
    action: str
    amount: str = ""
    reason: str = ""
    lines: tuple[LineInput, ...] = ()
    notes: str | None = None


@dataclass(frozen=True)
class Planned:
    client: str
    kind: str
    lines: tuple[LineInput, ...]
    days_ago: int
    term_days: int = 30
    requires_signature: bool = False
    final: bool = True
    send: bool = True
    later: tuple[Later, ...] = ()


INVOICE, QUOTE = Document.Kind.INVOICE, Document.Kind.QUOTE
CAFE, RIVAGE, HARBOR, HOTEL = (
    "Café des Arts",
    "Studio Rivage",
    "Harbor & Co",
    "Hôtel des Terreaux",
)
# name, e-mail, language, address, then the legal details e-invoices carry:
# country, SIREN (French businesses), VAT number, delivery address if elsewhere.
CLIENTS = {
    ATELIER.name: (
        (
            CAFE,
            "compta@cafedesarts.example",
            "fr",
            "7 place de la République\n75011 Paris",
            (
                "FR",
                "443061841",
                "FR64443061841",
                "Réserve\n12 rue Oberkampf\n75011 Paris",
            ),
        ),
        (
            RIVAGE,
            "hello@studiorivage.example",
            "en",
            "21 quai de la Loire\n75019 Paris",
            ("FR", "539123455", "FR40539123455", ""),
        ),
    ),
    NORTHWIND.name: (
        (
            HARBOR,
            "accounts@harbor.example",
            "en",
            "9 Quay Road\nBristol BS1 6AA",
            ("GB", "", "GB987654321", ""),
        ),
    ),
    BOULANGERIE.name: (
        (
            HOTEL,
            "achats@hotelterreaux.example",
            "fr",
            "5 rue Terraille\n69001 Lyon",
            ("FR", "778123455", "FR96778123455", ""),
        ),
    ),
}
BAR_LIGHTING = _line("Rénovation du bar — éclairage", "1", "3200.00")
DIMMERS = _line("Variateurs DALI", "4", "145.00")
PLANS = {
    ATELIER.name: (
        # Invoices in every state the client can see.
        Planned(
            CAFE,
            INVOICE,
            (_line("Audit énergétique", "1", "650.00"),),
            days_ago=80,
            later=(Later(12, "mark_paid"),),
        ),
        Planned(
            CAFE,
            INVOICE,
            (_line("Maintenance trimestrielle", "1", "320.00"),),
            days_ago=50,
        ),  # overdue
        Planned(
            CAFE,
            INVOICE,
            (
                _line("Installation terrasse", "1", "2400.00"),
                _line("Câblage extérieur", "35", "18.50", "10"),
            ),
            days_ago=20,
            term_days=45,
            later=(
                Later(6, "pay", amount="1000.00"),
                Later(8, "credit", amount="120.00", reason="Câblage réduit de 5 m"),
            ),
        ),
        Planned(
            CAFE,
            INVOICE,
            (_line("Dépannage (annulé)", "2", "90.00"),),
            days_ago=15,
            term_days=15,
            later=(Later(1, "cancel"),),
        ),
        Planned(
            CAFE,
            INVOICE,
            (
                _line("Conception de l'éclairage de la salle", "1", "1850.00"),
                _line("Luminaires suspendus laiton", "6", "240.00"),
            ),
            days_ago=10,
        ),
        # Three versions: the scope grew twice after it was sent.
        Planned(
            CAFE,
            INVOICE,
            (BAR_LIGHTING,),
            days_ago=5,
            later=(
                Later(1, "revise", lines=(BAR_LIGHTING, DIMMERS)),
                Later(
                    3,
                    "revise",
                    lines=(
                        BAR_LIGHTING,
                        DIMMERS,
                        _line("Déplacement et mise en service", "1", "60.00"),
                    ),
                    notes="Mise en service ajoutée à la demande du client.",
                ),
            ),
        ),
        Planned(
            CAFE,
            INVOICE,
            (_line("Acompte interne (ne pas montrer)", "1", "500.00"),),
            days_ago=3,
            send=False,
            later=(Later(0, "hide"),),
        ),
        Planned(
            CAFE,
            INVOICE,
            (_line("Étude pour la cave (brouillon)", "1", "900.00"),),
            days_ago=0,
            final=False,
        ),
        # Quotes in every state.
        Planned(
            CAFE, QUOTE, (_line("Projet mezzanine", "1", "5400.00"),), days_ago=60
        ),  # expired
        Planned(
            CAFE,
            QUOTE,
            (_line("Éclairage de Noël", "1", "780.00"),),
            days_ago=40,
            later=(Later(5, "cancel"),),
        ),
        Planned(
            CAFE,
            QUOTE,
            (_line("Appliques murales", "8", "95.00"),),
            days_ago=30,
            # Billed as French practice has it: a deposit, then the final
            # invoice that deducts it.
            later=(
                Later(4, "accept"),
                Later(28, "deposit", amount="30"),
                Later(29, "final_invoice"),
            ),
        ),
        Planned(
            CAFE,
            QUOTE,
            (_line("Enseigne lumineuse", "1", "2600.00"),),
            days_ago=25,
            later=(Later(7, "decline", reason="Budget reporté à l'an prochain."),),
        ),
        Planned(
            CAFE,
            QUOTE,
            (_line("Luminaires de la terrasse", "4", "310.00"),),
            days_ago=9,
            requires_signature=True,
            later=(Later(2, "sign"),),
        ),  # signed by the client from its portal
        Planned(
            CAFE,
            QUOTE,
            (_line("Remplacement des ampoules LED", "40", "12.90"),),
            days_ago=4,
        ),
        Planned(
            CAFE,
            QUOTE,
            (_line("Éclairage de la vitrine", "1", "1200.00"),),
            days_ago=2,
            requires_signature=True,
        ),
        Planned(
            CAFE,
            QUOTE,
            (_line("Jardin d'hiver (brouillon)", "1", "3100.00"),),
            days_ago=0,
            final=False,
        ),
        # A second client, who reads its portal in English.
        Planned(
            RIVAGE,
            INVOICE,
            (
                _line("Studio lighting rig", "1", "4100.00"),
                _line("On-site setup", "6", "85.00"),
            ),
            days_ago=7,
        ),
        # Paid, then partly credited: the credit note takes back money the
        # client had paid, which the company now owes it (until the owner
        # refunds it from the payment, in the back office).
        Planned(
            RIVAGE,
            INVOICE,
            (_line("Lighting consultation", "1", "900.00"),),
            days_ago=1,  # the latest invoice: the others keep their numbers
            later=(
                Later(0, "mark_paid"),
                Later(1, "credit", amount="150.00", reason="Gels not delivered"),
            ),
        ),
        Planned(
            RIVAGE,
            QUOTE,
            (_line("Photo booth lighting", "1", "1450.00"),),
            days_ago=1,
            requires_signature=True,
        ),
    ),
    NORTHWIND.name: (
        Planned(
            HARBOR,
            INVOICE,
            (
                _line("Brand identity workshop", "2", "750.00"),
                _line("Logo design", "1", "1200.00"),
            ),
            days_ago=12,
        ),
        Planned(
            HARBOR,
            QUOTE,
            (_line("Website redesign", "1", "8600.00"),),
            days_ago=3,
            requires_signature=True,
        ),
    ),
    BOULANGERIE.name: (
        Planned(
            HOTEL,
            INVOICE,
            (_line("Viennoiseries (livraison hebdomadaire)", "4", "180.00", "5.5"),),
            days_ago=6,
        ),
    ),
}


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
            document_services.document_send(
                document=document, actor=owner, now=issued_at
            )
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
            document_services.quote_accept(quote=document, actor=owner, now=at)
        case "decline":
            document_services.quote_decline(
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
            document_services.document_send(document=final, actor=owner, now=at)
        case "revise":
            document_services.document_update(
                document=document,
                lines=later.lines,
                actor=owner,
                now=at,
                notes=document.notes if later.notes is None else later.notes,
            )


def _client_signs(quote: Document, at: dt.datetime) -> None:
    """The client signs from its phone, by typing its name (as without JavaScript)."""
    assert quote.current_version is not None  # a finalised quote has one
    version = version_pdf_ensure(version=quote.current_version)
    document_services.quote_sign(
        quote=quote,
        version_number=version.number,
        version_pdf_sha256=version.pdf_sha256,
        signer_name="Marie Lefèvre",
        signer_email=quote.client.email,
        consent=True,
        signature_png=None,
        typed_name="Marie Lefèvre",
        language=quote.client.locale,
        origin=document_services.RequestOrigin(
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

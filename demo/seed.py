"""The demo's data: three companies, a member of every role, documents in every state.

Everything is made through the services, as the back office would, so the demo
shows real histories, real versions and real numbering. Seeding is idempotent:
a database that already holds the demo is left as it is.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from branding import services as branding_services
from clients.models import Client
from clients.services import client_create
from companies.models import Company, Membership, User
from documents import services as document_services
from documents.models import Document
from documents.totals import LineInput
from payments.services import invoice_mark_paid, payment_record

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
    vat_number="FR32812345678",
    registration_number="812 345 678",
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
    registration_number="09876543",
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
    vat_number="FR90498765432",
    registration_number="498 765 432",
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


# The demo's clients are fictional: the documents it "sends" are kept in memory,
# never delivered nor printed over the demo's own output.
@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def seed(*, now: dt.datetime | None = None) -> bool:
    """Create the demo data unless it is there. Returns whether anything was made."""
    with transaction.atomic():
        if is_seeded():
            return False
        now = now or timezone.now()
        companies = {spec.name: _company(spec, now) for spec in COMPANIES}
        _atelier_documents(companies[ATELIER.name], now)
        _northwind_documents(companies[NORTHWIND.name], now)
        _boulangerie_documents(companies[BOULANGERIE.name], now)
    return True


def _company(spec: CompanySpec, now: dt.datetime) -> Company:
    company = Company.objects.create(
        name=spec.name,
        legal_name=spec.legal_name,
        address=spec.address,
        vat_number=spec.vat_number,
        registration_number=spec.registration_number,
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
            display_name=spec.name,
            primary_colour=primary,
            accent_colour=accent,
            logo=SimpleUploadedFile(
                logo_file, (ASSETS / logo_file).read_bytes(), content_type="image/png"
            ),
        )
    return company


class _Book:
    """Issue a company's documents the way its owner would, one action at a time."""

    def __init__(self, company: Company, now: dt.datetime) -> None:
        self.company, self.now = company, now
        self.owner = (
            Membership.objects.filter(company=company, role=Membership.Role.OWNER)
            .select_related("user")
            .order_by("pk")
            .first()
            .user
        )
        self.today = timezone.localdate(now)

    def client(self, name: str, email: str, locale: str, address: str) -> Client:
        return client_create(
            company=self.company,
            now=self.now,
            name=name,
            email=email,
            locale=locale,
            address=address,
        )

    def draft(
        self,
        client: Client,
        kind: str,
        lines: list[LineInput],
        *,
        days_ago: int = 0,
        term_days: int = 30,
        **extra: object,
    ) -> Document:
        issue_date = self.today - dt.timedelta(days=days_ago)
        term = issue_date + dt.timedelta(days=term_days)
        dates = (
            {"due_date": term}
            if kind == Document.Kind.INVOICE
            else {"expiry_date": term}
        )
        return document_services.document_create(
            company=self.company,
            client=client,
            kind=kind,
            lines=lines,
            actor=self.owner,
            now=self.now,
            issue_date=issue_date,
            **dates,
            **extra,
        )

    def final(
        self, client: Client, kind: str, lines: list[LineInput], **options: object
    ) -> Document:
        send = options.pop("send", True)
        document = self.draft(client, kind, lines, **options)
        document = document_services.document_finalise(
            document=document, actor=self.owner, now=self.now
        )
        if send and client.email:
            document = document_services.document_send(
                document=document, actor=self.owner, now=self.now
            )
        return document


def _atelier_documents(company: Company, now: dt.datetime) -> None:
    book = _Book(company, now)
    cafe = book.client(
        "Café des Arts",
        "compta@cafedesarts.example",
        "fr",
        "7 place de la République\n75011 Paris",
    )
    rivage = book.client(
        "Studio Rivage",
        "hello@studiorivage.example",
        "en",
        "21 quai de la Loire\n75019 Paris",
    )
    invoice, quote = Document.Kind.INVOICE, Document.Kind.QUOTE

    # Invoices in every state the client can see.
    book.final(
        cafe,
        invoice,
        [
            _line("Conception de l'éclairage de la salle", "1", "1850.00"),
            _line("Luminaires suspendus laiton", "6", "240.00"),
        ],
        days_ago=10,
        term_days=30,
    )
    book.final(
        cafe,
        invoice,
        [_line("Maintenance trimestrielle", "1", "320.00")],
        days_ago=50,
        term_days=30,
    )  # overdue
    partly = book.final(
        cafe,
        invoice,
        [
            _line("Installation terrasse", "1", "2400.00"),
            _line("Câblage extérieur", "35", "18.50", "10"),
        ],
        days_ago=20,
        term_days=45,
    )
    payment_record(
        invoice=partly,
        amount=Decimal("1000.00"),
        method="transfer",
        actor=book.owner,
        now=now,
    )
    paid = book.final(
        cafe,
        invoice,
        [_line("Audit énergétique", "1", "650.00")],
        days_ago=80,
        term_days=30,
    )
    invoice_mark_paid(invoice=paid, actor=book.owner, now=now)
    canceled = book.final(
        cafe,
        invoice,
        [_line("Dépannage (annulé)", "2", "90.00")],
        days_ago=15,
        term_days=15,
    )
    document_services.document_cancel(document=canceled, actor=book.owner, now=now)
    # Three versions: the scope grew twice after it was sent.
    revised = book.final(
        cafe,
        invoice,
        [_line("Rénovation du bar — éclairage", "1", "3200.00")],
        days_ago=5,
        term_days=30,
    )
    document_services.document_update(
        document=revised,
        actor=book.owner,
        now=now,
        lines=[
            _line("Rénovation du bar — éclairage", "1", "3200.00"),
            _line("Variateurs DALI", "4", "145.00"),
        ],
    )
    document_services.document_update(
        document=revised,
        actor=book.owner,
        now=now,
        lines=[
            _line("Rénovation du bar — éclairage", "1", "3200.00"),
            _line("Variateurs DALI", "4", "145.00"),
            _line("Déplacement et mise en service", "1", "60.00"),
        ],
        notes="Mise en service ajoutée à la demande du client.",
    )
    hidden = book.final(
        cafe,
        invoice,
        [_line("Acompte interne (ne pas montrer)", "1", "500.00")],
        days_ago=3,
        send=False,
    )
    document_services.document_hide(document=hidden, actor=book.owner, now=now)
    book.draft(cafe, invoice, [_line("Étude pour la cave (brouillon)", "1", "900.00")])

    # Quotes in every state.
    book.final(
        cafe,
        quote,
        [_line("Éclairage de la vitrine", "1", "1200.00")],
        days_ago=2,
        requires_signature=True,
    )
    book.final(
        cafe, quote, [_line("Remplacement des ampoules LED", "40", "12.90")], days_ago=4
    )
    book.final(
        cafe,
        quote,
        [_line("Projet mezzanine", "1", "5400.00")],
        days_ago=60,
        term_days=30,
    )  # expired
    accepted = book.final(
        cafe, quote, [_line("Appliques murales", "8", "95.00")], days_ago=30
    )
    document_services.quote_accept(quote=accepted, actor=book.owner, now=now)
    declined = book.final(
        cafe, quote, [_line("Enseigne lumineuse", "1", "2600.00")], days_ago=25
    )
    document_services.quote_decline(
        quote=declined,
        actor=book.owner,
        now=now,
        reason="Budget reporté à l'an prochain.",
    )
    canceled_quote = book.final(
        cafe, quote, [_line("Éclairage de Noël", "1", "780.00")], days_ago=40
    )
    document_services.document_cancel(
        document=canceled_quote, actor=book.owner, now=now
    )
    book.draft(cafe, quote, [_line("Jardin d'hiver (brouillon)", "1", "3100.00")])

    # A second client, in English.
    book.final(
        rivage,
        invoice,
        [
            _line("Studio lighting rig", "1", "4100.00"),
            _line("On-site setup", "6", "85.00"),
        ],
        days_ago=7,
    )
    book.final(
        rivage,
        quote,
        [_line("Photo booth lighting", "1", "1450.00")],
        days_ago=1,
        requires_signature=True,
    )


def _northwind_documents(company: Company, now: dt.datetime) -> None:
    book = _Book(company, now)
    harbor = book.client(
        "Harbor & Co", "accounts@harbor.example", "en", "9 Quay Road\nBristol BS1 6AA"
    )
    book.final(
        harbor,
        Document.Kind.INVOICE,
        [
            _line("Brand identity workshop", "2", "750.00"),
            _line("Logo design", "1", "1200.00"),
        ],
        days_ago=12,
    )
    book.final(
        harbor,
        Document.Kind.QUOTE,
        [_line("Website redesign", "1", "8600.00")],
        days_ago=3,
        requires_signature=True,
    )


def _boulangerie_documents(company: Company, now: dt.datetime) -> None:
    book = _Book(company, now)
    hotel = book.client(
        "Hôtel des Terreaux",
        "achats@hotelterreaux.example",
        "fr",
        "5 rue Terraille\n69001 Lyon",
    )
    book.final(
        hotel,
        Document.Kind.INVOICE,
        [_line("Viennoiseries (livraison hebdomadaire)", "4", "180.00", "5.5")],
        days_ago=6,
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
                    "currency": document.currency,
                }
                for document in Document.objects.for_company(company)
                .filter(client=client)
                .order_by("kind", "pk")
            ]
            clients.append(
                {
                    "name": client.name,
                    "portal_url": reverse("portal:home", args=[client.portal_token]),
                    "documents": documents,
                }
            )
        companies.append(
            {
                "name": company.name,
                "has_receivables_addon": company.has_receivables_addon,
                "members": members,
                "clients": clients,
            }
        )
    return {"admin_url": reverse("admin:index"), "companies": companies}

"""The demo's data: three companies, a member of every role, their clients and
the documents each company issues, with what happens to them afterwards.

demo.seed turns these plans into records through the services.
"""

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from companies.models import Membership
from documents.models import Document
from documents.totals import LineInput

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
    legal_form: str
    rcs_city: str
    share_capital: str
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
    legal_form="sarl",
    rcs_city="Paris",
    share_capital="10000",
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
    legal_form="",
    rcs_city="",
    share_capital="",
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
    legal_form="eurl",
    rcs_city="Lyon",
    share_capital="5000",
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


def line(
    description: str, quantity: str, unit_price: str, vat_rate: str = "20"
) -> LineInput:
    return LineInput(
        description, Decimal(quantity), Decimal(unit_price), Decimal(vat_rate)
    )


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
    # What an issued invoice may still change (revise): its client's order
    # reference, a due date extended by some days.
    purchase_order: str = ""
    extend_days: int = 0


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
# Clients with payment terms of their own (days, end of month); the others
# pay on their company's terms.
CLIENT_TERMS = {HARBOR: (45, True)}
BAR_LIGHTING = line("Rénovation du bar — éclairage", "1", "3200.00")
DIMMERS = line("Variateurs DALI", "4", "145.00")
PLANS = {
    ATELIER.name: (
        # Invoices in every state the client can see.
        Planned(
            CAFE,
            INVOICE,
            (line("Audit énergétique", "1", "650.00"),),
            days_ago=80,
            later=(Later(12, "mark_paid"),),
        ),
        Planned(
            CAFE,
            INVOICE,
            (line("Maintenance trimestrielle", "1", "320.00"),),
            days_ago=50,
        ),  # overdue
        Planned(
            CAFE,
            INVOICE,
            (
                line("Installation terrasse", "1", "2400.00"),
                line("Câblage extérieur", "35", "18.50", "10"),
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
            (line("Dépannage (annulé)", "2", "90.00"),),
            days_ago=15,
            term_days=15,
            later=(Later(1, "cancel"),),
        ),
        Planned(
            CAFE,
            INVOICE,
            (
                line("Conception de l'éclairage de la salle", "1", "1850.00"),
                line("Luminaires suspendus laiton", "6", "240.00"),
            ),
            days_ago=10,
        ),
        # Three versions: what an issued invoice may still change, changed
        # twice after it was sent (its lines and amounts never).
        Planned(
            CAFE,
            INVOICE,
            (BAR_LIGHTING, DIMMERS),
            days_ago=5,
            later=(
                Later(1, "revise", purchase_order="BC-2026-118"),
                Later(
                    3,
                    "revise",
                    extend_days=15,
                    notes="Échéance reportée de 15 jours à la demande du client.",
                ),
            ),
        ),
        Planned(
            CAFE,
            INVOICE,
            (line("Acompte interne (ne pas montrer)", "1", "500.00"),),
            days_ago=3,
            send=False,
            later=(Later(0, "hide"),),
        ),
        Planned(
            CAFE,
            INVOICE,
            (line("Étude pour la cave (brouillon)", "1", "900.00"),),
            days_ago=0,
            final=False,
        ),
        # Quotes in every state.
        Planned(
            CAFE, QUOTE, (line("Projet mezzanine", "1", "5400.00"),), days_ago=60
        ),  # expired
        Planned(
            CAFE,
            QUOTE,
            (line("Éclairage de Noël", "1", "780.00"),),
            days_ago=40,
            later=(Later(5, "cancel"),),
        ),
        Planned(
            CAFE,
            QUOTE,
            (line("Appliques murales", "8", "95.00"),),
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
            (line("Enseigne lumineuse", "1", "2600.00"),),
            days_ago=25,
            later=(Later(7, "decline", reason="Budget reporté à l'an prochain."),),
        ),
        Planned(
            CAFE,
            QUOTE,
            (line("Luminaires de la terrasse", "4", "310.00"),),
            days_ago=9,
            requires_signature=True,
            later=(Later(2, "sign"),),
        ),  # signed by the client from its portal
        Planned(
            CAFE,
            QUOTE,
            (line("Remplacement des ampoules LED", "40", "12.90"),),
            days_ago=4,
        ),
        Planned(
            CAFE,
            QUOTE,
            (line("Éclairage de la vitrine", "1", "1200.00"),),
            days_ago=2,
            requires_signature=True,
        ),
        Planned(
            CAFE,
            QUOTE,
            (line("Jardin d'hiver (brouillon)", "1", "3100.00"),),
            days_ago=0,
            final=False,
        ),
        # A second client, who reads its portal in English.
        Planned(
            RIVAGE,
            INVOICE,
            (
                line("Studio lighting rig", "1", "4100.00"),
                line("On-site setup", "6", "85.00"),
            ),
            days_ago=7,
        ),
        # Paid, then partly credited: the credit note takes back money the
        # client had paid, which the company now owes it (until the owner
        # refunds it from the payment, in the back office).
        Planned(
            RIVAGE,
            INVOICE,
            (line("Lighting consultation", "1", "900.00"),),
            days_ago=1,  # the latest invoice: the others keep their numbers
            later=(
                Later(0, "mark_paid"),
                Later(1, "credit", amount="150.00", reason="Gels not delivered"),
            ),
        ),
        Planned(
            RIVAGE,
            QUOTE,
            (line("Photo booth lighting", "1", "1450.00"),),
            days_ago=1,
            requires_signature=True,
        ),
    ),
    NORTHWIND.name: (
        Planned(
            HARBOR,
            INVOICE,
            (
                line("Brand identity workshop", "2", "750.00"),
                line("Logo design", "1", "1200.00"),
            ),
            days_ago=12,
        ),
        Planned(
            HARBOR,
            QUOTE,
            (line("Website redesign", "1", "8600.00"),),
            days_ago=3,
            requires_signature=True,
        ),
    ),
    BOULANGERIE.name: (
        Planned(
            HOTEL,
            INVOICE,
            (line("Viennoiseries (livraison hebdomadaire)", "4", "180.00", "5.5"),),
            days_ago=6,
        ),
    ),
}

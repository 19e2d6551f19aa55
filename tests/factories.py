"""factory_boy factories: one tenant per object graph."""

import datetime as dt
from decimal import Decimal

import factory

from branding.models import BrandKit
from clients import services as client_services
from clients.models import Client
from companies.identifiers import luhn_is_valid
from companies.models import Company, Membership, User
from documents import services as document_services
from documents.models import Document
from documents.totals import LineInput

NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


def valid_siren(n: int) -> str:
    """A valid SIREN (Luhn) for every n: eight digits of n, then the check digit."""
    stem = f"{n % 10**8:08d}"
    return next(f"{stem}{d}" for d in range(10) if luhn_is_valid(f"{stem}{d}"))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"member{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.django.Password("correct horse battery staple")


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Company {n}")
    legal_name = factory.LazyAttribute(lambda o: f"{o.name} SAS")
    address = "12 rue de la Paix\n75002 Paris"
    vat_number = "FR11123456782"
    registration_number = "123456782"
    iban = "FR7630006000011234567890189"
    bic = "AGRIFRPP"
    default_currency = "EUR"
    default_locale = "en"
    has_receivables_addon = True


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    company = factory.SubFactory(CompanyFactory)
    role = Membership.Role.OWNER


class BrandKitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BrandKit

    company = factory.SubFactory(CompanyFactory)
    display_name = factory.LazyAttribute(lambda o: o.company.name)
    primary_colour = "#1F3A5F"
    accent_colour = "#E07A1F"


class ClientFactory(factory.django.DjangoModelFactory):
    """Clients are made through the service, so each gets its own portal token."""

    class Meta:
        model = Client

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Client {n}")
    email = factory.Sequence(lambda n: f"client{n}@example.org")
    address = "1 Main Street\n69001 Lyon"
    locale = "en"
    siren = factory.Sequence(lambda n: valid_siren(500000 + n))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return client_services.client_create(now=NOW, **kwargs)


def line(
    description: str = "Consulting",
    quantity: str = "1",
    unit_price: str = "100.00",
    vat_rate: str = "20",
) -> LineInput:
    return LineInput(
        description, Decimal(quantity), Decimal(unit_price), Decimal(vat_rate)
    )


class DocumentFactory(factory.django.DjangoModelFactory):
    """A draft by default; `finalised=True` gives it a number and version 1."""

    class Meta:
        model = Document

    client = factory.SubFactory(ClientFactory)
    company = factory.SelfAttribute("client.company")
    kind = Document.Kind.INVOICE
    issue_date = dt.date(2026, 3, 2)
    due_date = factory.LazyAttribute(
        lambda o: o.issue_date + dt.timedelta(days=30) if o.kind == "invoice" else None
    )
    expiry_date = factory.LazyAttribute(
        lambda o: o.issue_date + dt.timedelta(days=30) if o.kind == "quote" else None
    )
    lines = factory.LazyFunction(lambda: [line()])
    finalised = False

    @classmethod
    def _create(cls, model_class, *args, finalised=False, **kwargs):
        if kwargs["company"].country == "FR" and kwargs.get("currency", "EUR") != "EUR":
            # A French seller states its VAT in euros too (BR-FR-CO-12): a
            # rate of the day, as the owner types it.
            kwargs.setdefault("euro_rate", Decimal("0.92"))
        document = document_services.document_create(actor=None, now=NOW, **kwargs)
        if finalised:
            dates = {
                name: getattr(document, name)
                for name in ("issue_date", "due_date", "expiry_date")
            }
            document = document_services.document_finalise(
                document=document, actor=None, now=NOW
            )
            if dates["issue_date"] != document.issue_date:
                # Finalising dates a document today; a test that wants it
                # issued another day gets it as if issued then (its rows
                # only: the frozen version keeps what finalising wrote).
                Document.objects.filter(pk=document.pk).update(**dates)
                document.refresh_from_db()
        return document

"""What a version's content lacks to make a valid French e-invoice, named
for the person who can add it."""

from decimal import Decimal

from django.utils.translation import gettext as _

from companies import identifiers
from documents.models import Document
from einvoicing import mentions
from einvoicing.facturx.parties import electronic_address


class FacturXError(ValueError):
    """The content cannot be a valid e-invoice; the message is for people."""


def applies_to(content: dict) -> bool:
    """Invoices and credit notes are e-invoices; quotes are not."""
    return content["kind"] in (Document.Kind.INVOICE, Document.Kind.CREDIT_NOTE)


def has_vat(content: dict) -> bool:
    return any(Decimal(rate["rate"]) > 0 for rate in content["vat_breakdown"])


def _seller_problems(content: dict) -> list[str]:
    seller = content["seller"]
    found = []
    if seller.get("country") in identifiers.SIREN_COUNTRIES:
        try:
            identifiers.siren_clean(seller.get("registration_number", ""))
        except identifiers.InvalidIdentifier:
            found.append(
                _(
                    "Your company's SIREN is missing or invalid (company settings, "
                    "registration number): French e-invoices must carry it."
                )
            )
    needs_vat_number = has_vat(content) or (
        mentions.vat_exemption(content) and not mentions.not_subject_to_vat(content)
    )
    if needs_vat_number and not seller.get("vat_number"):
        found.append(
            _(
                "Your company has no VAT number (company settings): an invoice "
                "with VAT must carry it."
            )
        )
    if (
        seller.get("country") in identifiers.SIREN_COUNTRIES
        and content["currency"] != "EUR"
        and not content.get("euro_rate")
    ):
        found.append(
            _(
                "An invoice in %(currency)s from a French company states its VAT "
                "in euros too: give its exchange rate to euros."
            )
            % {"currency": content["currency"]}
        )
    return found


def _client_problems(content: dict) -> list[str]:
    seller, client = content["seller"], content["client"]
    found = []
    french_client = client.get("country") in identifiers.SIREN_COUNTRIES
    if client.get("is_business", True) and french_client and not client.get("siren"):
        found.append(
            _(
                "The client %(client)s has no SIREN: French e-invoices to a "
                "business must carry it."
            )
            % {"client": client["name"]}
        )
    elif (
        seller.get("country") in identifiers.SIREN_COUNTRIES
        and electronic_address(client, client.get("siren") or "") is None
    ):
        found.append(
            _(
                "The client %(client)s has no electronic invoicing address: give "
                "it one, or an e-mail address."
            )
            % {"client": client["name"]}
        )
    return found


def problems(content: dict) -> list[str]:
    """What the content lacks to be a valid French e-invoice, as messages
    naming the missing field; empty when nothing is missing."""
    if not applies_to(content):
        return []
    client = content["client"]
    found = [*_seller_problems(content), *_client_problems(content)]
    zero_rated = any(Decimal(rate["rate"]) == 0 for rate in content["vat_breakdown"])
    if zero_rated and not mentions.vat_exemption(content):
        found.append(
            _("A line carries 0 % VAT: choose the reason for 0 % VAT on the document.")
        )
    if mentions.not_subject_to_vat(content) and has_vat(content):
        found.append(
            _(
                "An invoice not subject to VAT (late fees) carries only lines at "
                "0 % VAT: bill the other lines on another invoice."
            )
        )
    exemption = mentions.vat_exemption(content)
    if (
        exemption
        and exemption[0] == "AE"
        and not (client.get("vat_number") or client.get("siren"))
    ):
        found.append(
            _("Reverse charge needs the client's VAT number: %(client)s has none.")
            % {"client": client["name"]}
        )
    return found

"""The parties of an e-invoice: seller (BG-4), buyer (BG-7) and where goods
go (BG-13), with their addresses and electronic addresses (BT-34, BT-49)."""

import re

from companies import identifiers
from einvoicing import mentions

SIREN_SCHEME = "0002"  # ISO 6523 ICD of the French SIREN
POSTCODE_CITY = re.compile(r"^(?P<postcode>[0-9]{4,5})\s+(?P<city>\S.*)$")
CITY_POSTCODE = re.compile(
    r"^(?P<city>\S.*?)\s+(?P<postcode>[A-Z]{1,2}[0-9][A-Z0-9]?\s?[0-9][A-Z]{2})$"
)


def address(text: str, country: str) -> dict[str, str]:
    """A typed address as EN 16931 wants it: up to three lines, postcode, city
    and country. The country's own name on a last line is left out."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    found: dict[str, str] = {"country_code": country}
    for index, line in enumerate(lines):
        match = POSTCODE_CITY.match(line) or CITY_POSTCODE.match(line)
        if match:
            found["postcode"], found["city"] = match["postcode"], match["city"]
            rest = lines[index + 1 :]
            if len(rest) == 1 and re.fullmatch(r"[^\W\d_][\w\s'-]*", rest[0]):
                rest = []  # "France", "United Kingdom"
            lines = lines[:index] + rest
            break
    if len(lines) > 3:
        lines = [*lines[:2], ", ".join(lines[2:])]
    for key, line in zip(("addr_l1", "addr_l2", "addr_l3"), lines, strict=False):
        found[key] = line
    return found


def electronic_address(party: dict, siren: str) -> dict[str, str] | None:
    """Where the party receives e-invoices, as frozen with the version; a
    version frozen before addresses were kept falls back on the SIREN, then
    the e-mail address."""
    if "electronic_address" in party:
        return party["electronic_address"]
    found = identifiers.electronic_address(
        override="", siren=siren, email=party.get("email", "")
    )
    return {"scheme": found[0], "value": found[1]} if found else None


def _with_electronic_address(party: dict, where: dict[str, str] | None) -> dict:
    if where:
        party["einvoicing_addr"] = where["value"]
        party["einvoicing_addr_schemeid"] = where["scheme"]
    return party


def seller(content: dict) -> dict:
    seller = content["seller"]
    country = seller.get("country") or identifiers.FRANCE
    party = {
        "name": seller.get("legal_name") or seller["name"],
        **address(seller.get("address", ""), country),
    }
    if seller.get("name") and seller["name"] != party["name"]:
        party["biz_name"] = seller["name"]
    registration = seller.get("registration_number")
    french = country in identifiers.SIREN_COUNTRIES
    if registration:
        party["legal_identifier"] = registration
        if french:
            party["legal_identifier_schemeid"] = SIREN_SCHEME
    # Outside the scope of VAT, neither party's VAT number is given (BR-O-02):
    # the SIREN identifies the seller.
    if seller.get("vat_number") and not mentions.not_subject_to_vat(content):
        party["vat_identifier"] = seller["vat_number"]
    if seller.get("email"):
        party["contacts"] = [{"email": seller["email"]}]
    siren = registration if french and registration else ""
    return _with_electronic_address(party, electronic_address(seller, siren))


def buyer(content: dict) -> dict:
    client = content["client"]
    country = client.get("country") or identifiers.FRANCE
    party = {"name": client["name"], **address(client.get("address", ""), country)}
    if client.get("siren"):
        party["legal_identifier"] = client["siren"]
        party["legal_identifier_schemeid"] = SIREN_SCHEME
    if client.get("vat_number") and not mentions.not_subject_to_vat(content):
        party["vat_identifier"] = client["vat_number"]
    if client.get("email"):
        party["contacts"] = [{"email": client["email"]}]
    where = electronic_address(client, client.get("siren") or "")
    return _with_electronic_address(party, where)


def ship_to(content: dict) -> dict | None:
    """Where the goods or services went, when elsewhere than the address."""
    client = content["client"]
    if not client.get("delivery_address"):
        return None
    return {
        "name": client["name"],
        **address(client["delivery_address"], client.get("country") or "FR"),
    }

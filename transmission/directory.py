"""The buyer's line in the Directory Service, looked up by SIREN before an
invoice goes (XP Z12-013 Directory Service 1.3.0), and kept on the client."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from clients.models import Client
from transmission.afnor import PlatformClient, PlatformError
from transmission.models import DirectoryEntry

# Enabled lines first, then upcoming, then disabled; at equal status the
# widest (SIREN alone, no facility nor routing code) first.
STATUS_ORDER = {"Enabled": 0, "Upcoming": 1, "Disabled": 2}


def _best(lines: list[dict[str, Any]]) -> dict[str, Any] | None:
    if not lines:
        return None
    return min(
        lines,
        key=lambda line: (
            STATUS_ORDER.get(str(line.get("directoryLineStatus")), 3),
            bool(line.get("siret")),
            bool(line.get("routingIdentifier")),
        ),
    )


def client_directory_check(
    *, client: Client, platform: PlatformClient, now: dt.datetime
) -> DirectoryEntry:
    """Ask the directory where `client` receives e-invoices, and keep it.

    :raises PlatformError: the directory could not be asked.
    """
    lines = platform.directory_lines(client.siren)
    line = _best(lines)
    values: dict[str, Any] = {"siren": client.siren, "checked_at": now}
    if line is None:
        values |= {"status": DirectoryEntry.Status.NOT_FOUND}
    else:
        legal_unit = line.get("legalUnit") or {}
        facility = line.get("facility") or {}
        b2g = facility.get("b2gAdditionalData") or {}
        routing = line.get("routingCode") or {}
        values |= {
            "status": str(line.get("directoryLineStatus", "Disabled")).lower(),
            "addressing_identifier": str(line.get("addressingIdentifier", ""))[:125],
            "routing_identifier": str(line.get("routingIdentifier", ""))[:100],
            "platform_type": str(line.get("platformType", ""))[:3],
            "public_buyer": legal_unit.get("entityType") == "Public",
            # "A commitment number or a service code": we can give the first.
            "requires_commitment": bool(
                b2g.get("managesLegalCommitmentCode")
                or b2g.get("managesLegalCommitmentOrServiceCode")
                or routing.get("managesLegalCommitment")
            ),
            "requires_service_code": bool(b2g.get("serviceCodeStatus")),
        }
        if values["status"] not in DirectoryEntry.Status.values:
            values["status"] = DirectoryEntry.Status.DISABLED
    with transaction.atomic():
        entry, _created = DirectoryEntry.objects.for_company(
            client.company
        ).update_or_create(
            client=client,
            defaults={"company_id": client.company_id, **values},
        )
    return entry


def sending_problem(
    entry: DirectoryEntry, content: dict[str, Any]
) -> PlatformError | None:
    """Why an invoice cannot go to this buyer's line, or None.

    A line not yet in force is tried again later; everything else waits for
    the owner (the message says what to do).
    """
    if entry.status == DirectoryEntry.Status.UPCOMING:
        return PlatformError(
            _("The buyer's e-invoicing platform is not active yet (directory)."),
            retryable=True,
        )
    if entry.status != DirectoryEntry.Status.ENABLED:
        return PlatformError(
            _(
                "The buyer (SIREN %(siren)s) has no e-invoicing platform in the "
                "directory: send the invoice by e-mail, or ask the buyer."
            )
            % {"siren": entry.siren},
            retryable=False,
        )
    printed = ((content.get("client") or {}).get("electronic_address") or {}).get(
        "value", ""
    )
    if entry.addressing_identifier and printed != entry.addressing_identifier:
        return PlatformError(
            _(
                "The buyer's address in the directory is %(directory)s, the invoice "
                "says %(printed)s: set it as the client's electronic address and "
                "correct the invoice."
            )
            % {"directory": entry.addressing_identifier, "printed": printed or "—"},
            retryable=False,
        )
    if entry.requires_commitment and not content.get("purchase_order"):
        return PlatformError(
            _(
                "This public buyer requires its commitment number (BT-13): give "
                "the invoice its purchase order reference (correct the invoice)."
            ),
            retryable=False,
        )
    if entry.requires_service_code and not (content.get("client") or {}).get(
        "service_code"
    ):
        return PlatformError(
            _(
                "This public buyer requires its service code (BT-10): enter it on "
                "the client, then correct the invoice."
            ),
            retryable=False,
        )
    return None

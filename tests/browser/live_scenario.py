"""Seeds and reads the database the live test's server processes share.

Run as `python -m tests.browser.live_scenario seed|views <document id>` with
DATABASE_URL pointing at that database (the test's own database belongs to
the test process, which the servers cannot see). Prints JSON.
"""

import datetime as dt
import json
import sys
from decimal import Decimal


def seed() -> dict:
    from clients.services import client_create
    from companies.models import Company, Membership, User
    from documents import services
    from documents.totals import LineInput

    now = dt.datetime.now(dt.UTC)
    company = Company.objects.create(
        name="Atelier Live",
        has_receivables_addon=True,
        default_locale="en",
        # What a French e-invoice needs to be finalised (issue 14).
        registration_number="123456782",
        vat_number="FR11123456782",
    )
    user = User.objects.create_user("owner@live.example", "live-password-123")
    Membership.objects.create(user=user, company=company, role="owner")
    client = client_create(
        company=company,
        now=now,
        name="Live Client",
        email="client@live.example",
        locale="en",
        siren="443061841",
    )

    def invoice(description: str) -> int:
        document = services.document_create(
            company=company,
            client=client,
            kind="invoice",
            lines=[LineInput(description, Decimal(1), Decimal(100), Decimal(20))],
            actor=user,
            now=now,
            issue_date=now.date(),
            due_date=now.date() + dt.timedelta(days=30),
        )
        return services.document_finalise(document=document, actor=user, now=now).pk

    watched, to_hide = invoice("Design work"), invoice("Printing")
    return {
        "token": client.portal_token,
        "client": client.pk,
        "watched": watched,
        "to_hide": to_hide,
        "email": user.email,
        "password": "live-password-123",
    }


def views(document_id: int) -> list[int]:
    from documents.models import DocumentEvent

    return list(
        # unscoped: a test helper reading its own throwaway database
        DocumentEvent.objects.filter(document_id=document_id, kind="viewed")
        .order_by("pk")
        .values_list("version__number", flat=True)
    )


def main() -> None:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

    django.setup()
    command = sys.argv[1]
    if command == "seed":
        print(json.dumps(seed()))
    elif command == "views":
        print(json.dumps(views(int(sys.argv[2]))))
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main()

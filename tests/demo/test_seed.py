import io
import json
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from clients.portal_link import new_key
from companies.models import Company
from documents.models import Document

pytestmark = pytest.mark.django_db


def seed_json() -> dict:
    out = io.StringIO()
    call_command("seed_demo", "--json", stdout=out)
    return json.loads(out.getvalue())  # exactly one JSON document, nothing else


def all_documents(summary: dict) -> list[dict]:
    return [
        document
        for company in summary["companies"]
        for client in company["clients"]
        for document in client["documents"]
    ]


def test_seed_demo_json_describes_the_demo():
    summary = seed_json()

    assert summary["admin_url"] == "/admin/"
    assert [(c["name"], c["has_receivables_addon"]) for c in summary["companies"]] == [
        ("Atelier Lumière", True),
        ("Northwind Studio", True),
        ("Boulangerie du Coin", False),
    ]
    roles = {m["role"] for c in summary["companies"] for m in c["members"]}
    assert roles == {"owner", "admin", "manager", "reporting"}
    client = summary["companies"][0]["clients"][0]
    assert client["portal_url"].startswith("/p/") and client["portal_url"].endswith("/")
    languages = {
        c["name"]: (c["language"], bool(c["email"]))
        for c in summary["companies"][0]["clients"]
    }
    assert languages["Café des Arts"] == ("fr", True)
    assert languages["Studio Rivage"] == ("en", True)
    document = client["documents"][0]
    assert set(document) == {
        "id",
        "kind",
        "number",
        "status",
        "hidden",
        "versions",
        "total",
        "amount_due",
        "amount_credited",
        "credited_invoice",
        "currency",
    }
    company = Company.objects.get(name="Atelier Lumière")
    stored = Document.objects.for_company(company).get(pk=document["id"])
    assert stored.total == Decimal(document["total"])


def test_seed_demo_covers_every_status_version_and_visibility():
    documents = all_documents(seed_json())
    by_kind = Counter(d["kind"] for d in documents)
    statuses = {(d["kind"], d["status"]) for d in documents}

    assert by_kind["invoice"] >= 5 and by_kind["quote"] >= 3
    assert {
        ("invoice", s)
        for s in ("draft", "to_pay", "partially_paid", "paid", "canceled")
    } <= statuses
    assert {
        ("quote", s) for s in ("draft", "pending", "accepted", "declined", "canceled")
    } <= statuses
    assert max(d["versions"] for d in documents) >= 3
    assert any(d["hidden"] for d in documents)
    drafts = [d for d in documents if d["status"] == "draft"]
    assert drafts and all(d["number"] is None and d["versions"] == 0 for d in drafts)


def test_seed_demo_is_idempotent():
    first = seed_json()
    second = seed_json()

    assert first == second
    assert sorted(Company.objects.values_list("name", flat=True)) == [
        "Atelier Lumière",
        "Boulangerie du Coin",
        "Northwind Studio",
    ]


def test_demo_numbers_follow_the_issue_dates():
    seed_json()
    company = Company.objects.get(name="Atelier Lumière")

    for kind in ("invoice", "quote"):
        finalised = (
            Document.objects.for_company(company)
            .filter(kind=kind, number__isnull=False)
            .order_by("number_sequence")
        )
        dates = [document.issue_date for document in finalised]
        assert dates == sorted(dates)


def test_seed_demo_json_gives_amounts_due_and_no_stripe_account_without_a_key(
    settings,
):
    settings.STRIPE_SECRET_KEY = ""

    summary = seed_json()

    assert [c["stripe_account"] for c in summary["companies"]] == [None, None, None]
    for document in all_documents(summary):
        stored = Document.objects.get(pk=document["id"])  # every demo company's
        if stored.kind == "invoice":
            assert Decimal(document["amount_due"]) == stored.amount_due
        else:  # a quote or a credit note asks for no money
            assert document["amount_due"] is None
        assert Decimal(document["amount_credited"]) == stored.amount_credited
    credit_notes = [d for d in all_documents(summary) if d["kind"] == "credit_note"]
    assert {d["credited_invoice"] for d in credit_notes} == {
        d["number"]
        for d in all_documents(summary)
        if d["kind"] == "invoice" and Decimal(d["amount_credited"]) > 0
    }
    # Paid, then credited €150 (VAT included): owed back to the client.
    owed_back = [d for d in all_documents(summary) if d["amount_due"] == "-150.00"]
    assert [(d["status"], d["amount_credited"]) for d in owed_back] == [
        ("paid", "150.00")
    ]
    # The partly paid invoice: €1,000 received, then a €120 credit note.
    partly = [d for d in all_documents(summary) if d["status"] == "partially_paid"]
    assert partly and all(
        Decimal(d["amount_due"])
        == Decimal(d["total"]) - Decimal("1000.00") - Decimal("120.00")
        for d in partly
    )


def test_with_stripe_each_add_on_company_gets_an_account_through_the_api(settings):
    from tests.payments import fake_stripe

    fixture = fake_stripe.running(settings)
    stripe = next(fixture)
    try:
        summary = seed_json()
        again = seed_json()
    finally:
        next(fixture, None)

    accounts = [c["stripe_account"] for c in summary["companies"]]
    assert accounts[2] is None  # no add-on, no portal, no card payments
    assert sorted(accounts[:2]) == sorted(stripe.accounts)
    assert len(stripe.posts("/v1/accounts")) == 2
    assert again == summary


def test_a_database_seeded_under_another_key_is_explained_not_a_traceback(settings):
    seed_json()
    settings.PORTAL_TOKEN_KEYS = [new_key()]  # var/demo's key file replaced

    with pytest.raises(CommandError, match="delete db.sqlite3"):
        seed_json()

"""A French member's back office in a real browser: French, formats, the
totals box of a final invoice after a deposit, and no accessibility fault."""

import re
from decimal import Decimal

import pytest

from documents import services
from signing import services as signing_services
from tests.browser.test_back_office_csp import sign_in
from tests.browser.test_portal import assert_no_axe_violations
from tests.factories import (
    NOW,
    ClientFactory,
    CompanyFactory,
    DocumentFactory,
    MembershipFactory,
    line,
)

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a long test passphrase"


def test_a_french_member_reads_the_final_invoice_s_totals(page, live_server):
    company = CompanyFactory(default_locale="fr", country="FR")
    customer = ClientFactory(company=company, name="Café des Arts")
    quote = DocumentFactory(
        client=customer,
        kind="quote",
        lines=[line("Travaux", "1", "1000.00")],
        finalised=True,
    )
    signing_services.quote_accept(quote=quote, actor=None, now=NOW)
    quote.refresh_from_db()
    services.deposit_invoice_issue(
        quote=quote, percent=Decimal("30"), actor=None, now=NOW
    )
    final = services.quote_convert_to_invoice(quote=quote, actor=None, now=NOW)
    member = MembershipFactory(company=company, user__language="fr").user
    member.set_password(PASSWORD)
    member.save()

    sign_in(page, live_server, member.email, PASSWORD)
    page.goto(f"{live_server.url}/admin/documents/invoice/{final.pk}/change/")

    assert page.locator("html").get_attribute("lang") == "fr"
    rows = [
        re.sub(r"[ \t\n]+", " ", row).strip()
        for row in page.locator("#live-totals tr").all_inner_texts()
    ]
    # The lines, the deposit taken off once, what remains, its VAT, the total.
    assert rows == [
        "Total HT 1\u202f000,00\u00a0€",
        "Acomptes déduits -300,00\u00a0€",
        "Net HT 700,00\u00a0€",
        "TVA 20\u202f% 140,00\u00a0€",
        "Total 840,00\u00a0€",
    ]
    # The list in French (the change page's inline tables keep Django's
    # header-less columns, a best-practice finding outside this work).
    page.goto(f"{live_server.url}/admin/documents/invoice/")
    assert "Rechercher" in page.locator("#changelist-search").inner_html()
    assert_no_axe_violations(page, "a French member's invoices")

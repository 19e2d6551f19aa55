"""French late-payment law: the rate frozen at issue, interest to the cent on
day counts and leap years, the €40 per invoice, waivers, and where it shows."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from companies import late_payment
from companies.forms import CompanySettingsForm
from documents import services
from documents.late_fees import late_fees
from documents.models import Document
from einvoicing import facturx, validation
from mail import services as mail_services
from payments.services import payment_record
from tests.backoffice import messages_of, sign_in
from tests.einvoicing import einvoice
from tests.factories import NOW, ClientFactory, CompanyFactory, DocumentFactory
from tests.factories import line as line_of

pytestmark = pytest.mark.django_db

DUE = dt.date(2026, 4, 1)  # the factory's invoices: issued 2 March, due 1 April


def test_interest_counts_each_day_at_365ths_and_366ths_in_a_leap_year():
    thousand = Decimal("1000.00")
    # 31 days of 2026: 1000 × 12.15 % × 31/365 = 10.319… → 10.32
    assert late_payment.late_interest(
        thousand, Decimal("12.15"), dt.date(2026, 4, 1), dt.date(2026, 5, 2)
    ) == Decimal("10.32")
    # Across New Year into a leap year: 16/365 + 14/366 → 9.973… → 9.97
    assert late_payment.late_interest(
        thousand, Decimal("12.15"), dt.date(2027, 12, 15), dt.date(2028, 1, 14)
    ) == Decimal("9.97")
    # The whole of leap 2024 at 10 %: exactly a tenth.
    assert late_payment.late_interest(
        thousand, Decimal("10"), dt.date(2023, 12, 31), dt.date(2024, 12, 31)
    ) == Decimal("100.00")
    # Not late yet, or on the due date itself: nothing.
    assert late_payment.late_interest(
        thousand, Decimal("10"), dt.date(2026, 4, 1), dt.date(2026, 4, 1)
    ) == Decimal("0.00")


def test_the_legal_rate_is_the_ecb_s_plus_10_points_and_the_floor_3_times_legal():
    assert late_payment.legal_penalty_rate(dt.date(2025, 3, 1)) == Decimal("13.15")
    assert late_payment.legal_penalty_rate(dt.date(2026, 3, 2)) == Decimal("12.15")
    assert late_payment.penalty_rate_floor(dt.date(2026, 3, 2)) == Decimal("8.28")
    assert late_payment.penalty_rate(Decimal("5"), dt.date(2026, 3, 2)) == Decimal(
        "8.28"
    )


def test_the_rate_is_frozen_on_the_invoice_at_issue():
    legal = DocumentFactory(finalised=True)
    agreed = DocumentFactory(
        finalised=True, client__company__late_payment_rate=Decimal("15.00")
    )
    consumer = DocumentFactory(finalised=True, client__is_business=False)

    assert legal.current_version.content["late_payment"] == {
        "rate": "12.15",
        "indemnity": "40.00",
    }
    assert agreed.current_version.content["late_payment"]["rate"] == "15.00"
    assert "late_payment" not in consumer.current_version.content
    assert late_fees(consumer, dt.date(2026, 6, 1)) is None


def test_an_overdue_invoice_owes_interest_to_date_and_40_euros():
    invoice = DocumentFactory(finalised=True)  # 120.00 due 1 April

    fees = late_fees(invoice, dt.date(2026, 5, 1))

    # 120 × 12.15 % × 30/365 = 1.198… → 1.20
    assert (fees.days, fees.rate, fees.interest, fees.indemnity) == (
        30,
        Decimal("12.15"),
        Decimal("1.20"),
        Decimal("40.00"),
    )
    assert late_fees(invoice, DUE) is None  # due today: not late


def test_a_paid_invoice_owes_no_late_fees():
    invoice = DocumentFactory(finalised=True)
    payment_record(
        invoice=invoice, amount=invoice.total, method="transfer", actor=None, now=NOW
    )
    invoice.refresh_from_db()

    assert late_fees(invoice, dt.date(2026, 5, 1)) is None


def test_the_owner_waives_either_and_claims_them_again():
    invoice = DocumentFactory(finalised=True)
    day = dt.date(2026, 5, 1)

    services.late_fees_waive(document=invoice, actor=None, now=NOW, interest=True)
    invoice.refresh_from_db()
    no_interest = late_fees(invoice, day)
    services.late_fees_waive(document=invoice, actor=None, now=NOW, indemnity=True)
    invoice.refresh_from_db()
    nothing = late_fees(invoice, day)
    again = services.late_fees_waive(
        document=invoice, actor=None, now=NOW, interest=False, indemnity=False
    )
    invoice.refresh_from_db()

    assert (no_interest.interest, no_interest.indemnity) == (
        Decimal("0.00"),
        Decimal("40.00"),
    )
    assert (nothing.claimed, nothing.interest_waived, nothing.indemnity_waived) == (
        False,
        True,
        True,
    )
    assert again is True
    assert late_fees(invoice, day).interest == Decimal("1.20")


def test_a_draft_has_no_late_fees_to_waive():
    draft = DocumentFactory()

    with pytest.raises(services.LateFeesRefused):
        services.late_fees_waive(document=draft, actor=None, now=NOW, interest=True)


def test_the_company_form_refuses_a_rate_under_the_legal_floor():
    company = CompanyFactory()
    form = CompanySettingsForm(instance=company)
    data = {**form.initial, "late_payment_rate": "5"}
    data = {key: ("" if value is None else value) for key, value in data.items()}

    with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)):
        bound = CompanySettingsForm(data, instance=company)
        bound.is_valid()

    assert "late_payment_rate" in bound.errors
    assert "8.28" in bound.errors["late_payment_rate"][0]


def test_the_back_office_shows_them_and_waives_the_interest(client):
    company = CompanyFactory()
    sign_in(client, company)
    invoice = DocumentFactory(client__company=company, finalised=True)

    with time_machine.travel(dt.datetime(2026, 5, 1, 9, tzinfo=dt.UTC)):
        page = client.get(f"/admin/documents/invoice/{invoice.pk}/change/")
        response = client.post(
            f"/admin/documents/document/{invoice.pk}/actions/waive_interest/"
        )

    html = page.content.decode()
    assert 'id="late-fees"' in html
    assert "interest to date: €1.20" in html and "€40.00" in html
    assert messages_of(response) == ["INV-2026-0001: late-payment interest waived."]
    invoice.refresh_from_db()
    assert invoice.late_interest_waived is True


def test_the_portal_and_the_reminder_say_what_is_owed_with_interest(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    invoice = DocumentFactory(finalised=True)
    token = invoice.client.portal_token

    with time_machine.travel(dt.datetime(2026, 5, 1, 9, tzinfo=dt.UTC)):
        page = client.get(f"/p/{token}/documents/{invoice.pk}/")
        with django_capture_on_commit_callbacks(execute=True):
            mail_services.reminder_send_now(
                document=invoice,
                actor=None,
                now=dt.datetime(2026, 5, 1, 9, tzinfo=dt.UTC),
            )

    html = page.content.decode()
    assert 'id="late-interest"' in html and "€1.20" in html
    assert 'id="recovery-indemnity"' in html
    (message,) = mailoutbox
    assert "Late-payment interest to date: €1.20" in message.body
    assert "Fixed recovery indemnity: €40.00" in message.body


def test_a_consumer_s_invoice_shows_no_late_fees(client):
    customer = ClientFactory(is_business=False)
    invoice = DocumentFactory(client=customer, finalised=True)

    with time_machine.travel(dt.datetime(2026, 5, 1, 9, tzinfo=dt.UTC)):
        page = client.get(f"/p/{customer.portal_token}/documents/{invoice.pk}/")

    assert 'id="late-fees"' not in page.content.decode()


# Adding late fees: a separate invoice for them, the overdue one untouched.
LATE = dt.datetime(2026, 5, 1, 9, tzinfo=dt.UTC)  # 30 days after the due date


def _lines(document):
    return [
        (line.description, line.quantity, line.unit_price, line.vat_rate)
        for line in document.lines.order_by("position")
    ]


def test_add_late_fees_bills_them_on_a_new_draft_and_leaves_the_invoice_alone():
    invoice = DocumentFactory(finalised=True)  # 120.00 due 1 April, at 12.15 %
    version, total = invoice.current_version_id, invoice.total

    draft = services.invoice_late_fees_bill(invoice=invoice, actor=None, now=LATE)

    invoice.refresh_from_db()
    assert (draft.kind, draft.status, draft.client, draft.late_fees_of) == (
        "invoice",
        "draft",
        invoice.client,
        invoice,
    )
    # Due on the client's usual terms (the factory company's 30 days), as
    # the invoice prints them.
    assert (draft.issue_date, draft.due_date, draft.vat_exemption) == (
        dt.date(2026, 5, 1),
        dt.date(2026, 5, 31),
        "not_subject",
    )
    assert _lines(draft) == [
        (
            "Late-payment interest on invoice INV-2026-0001: 30 days late, from "
            "Apr 2, 2026 to May 1, 2026, at 12.15% a year on €120.00 still due "
            "(art. L441-10 of the French commercial code)",
            Decimal("1.00"),
            Decimal("1.20"),
            Decimal("0.0"),
        ),
        (
            "Fixed indemnity for recovery costs, late payment of invoice "
            "INV-2026-0001 (art. L441-10 and D441-5 of the French commercial code)",
            Decimal("1.00"),
            Decimal("40.00"),
            Decimal("0.0"),
        ),
    ]
    assert (draft.total_excl_tax, draft.total_tax, draft.total) == (
        Decimal("41.20"),
        Decimal("0.00"),
        Decimal("41.20"),
    )
    # The overdue invoice is as issued, and claims no late fees any more.
    assert (invoice.current_version_id, invoice.total) == (version, total)
    assert late_fees(invoice, dt.date(2026, 6, 1)) is None


def test_the_interest_is_to_the_cent_over_a_leap_year_s_end():
    invoice = DocumentFactory(
        finalised=True,
        issue_date=dt.date(2027, 11, 15),
        due_date=dt.date(2027, 12, 15),
        lines=[line_of("Audit", "1", "1000.00", "0")],
        vat_exemption="franchise",
        client__company__late_payment_rate=Decimal("12.15"),
    )
    now = dt.datetime(2028, 1, 14, 9, tzinfo=dt.UTC)

    draft = services.invoice_late_fees_bill(invoice=invoice, actor=None, now=now)

    # 1000 × 12.15 % × (16/365 + 14/366) = 9.973… → 9.97
    assert [price for _d, _q, price, _r in _lines(draft)] == [
        Decimal("9.97"),
        Decimal("40.00"),
    ]


def test_a_waived_part_is_left_out():
    invoice = DocumentFactory(finalised=True)
    services.late_fees_waive(document=invoice, actor=None, now=NOW, interest=True)

    draft = services.invoice_late_fees_bill(invoice=invoice, actor=None, now=LATE)

    assert [price for _d, _q, price, _r in _lines(draft)] == [Decimal("40.00")]
    assert draft.total == Decimal("40.00")


def _refusal(invoice, now=LATE):
    count = Document.objects.for_company(invoice.company).count()
    with pytest.raises(services.LateFeesRefused) as refused:
        services.invoice_late_fees_bill(invoice=invoice, actor=None, now=now)
    assert Document.objects.for_company(invoice.company).count() == count
    return str(refused.value)


def test_late_fees_are_billed_once():
    invoice = DocumentFactory(finalised=True)
    draft = services.invoice_late_fees_bill(invoice=invoice, actor=None, now=LATE)

    assert _refusal(invoice, now=LATE + dt.timedelta(days=30)) == (
        "Its late fees are already on a draft invoice: finalise and send it, "
        "or delete it to bill them again."
    )
    services.document_finalise(document=draft, actor=None, now=LATE)
    draft.refresh_from_db()
    assert _refusal(invoice, now=LATE + dt.timedelta(days=30)) == (
        "Its late fees are already billed, on INV-2026-0002."
    )
    # The invoice of late fees bears none of its own, late as it may be.
    assert "late_payment" not in draft.current_version.content
    assert late_fees(draft, dt.date(2026, 9, 1)) is None
    assert _refusal(draft, now=LATE + dt.timedelta(days=60)) == (
        "An invoice of late fees bears no late fees of its own."
    )


def test_deleting_the_draft_lets_the_late_fees_run_again():
    invoice = DocumentFactory(finalised=True)
    draft = services.invoice_late_fees_bill(invoice=invoice, actor=None, now=LATE)

    services.document_draft_delete(document=draft, actor=None, now=LATE)
    invoice = Document.objects.get(pk=invoice.pk)

    assert late_fees(invoice, dt.date(2026, 5, 1)).interest == Decimal("1.20")


def test_add_late_fees_is_refused_when_nothing_is_due():
    everything_waived = DocumentFactory(finalised=True)
    services.late_fees_waive(
        document=everything_waived, actor=None, now=NOW, interest=True, indemnity=True
    )
    paid = DocumentFactory(finalised=True)
    payment_record(
        invoice=paid, amount=paid.total, method="transfer", actor=None, now=NOW
    )
    paid.refresh_from_db()

    assert _refusal(everything_waived) == (
        "Its late fees were waived: there is nothing to bill."
    )
    assert _refusal(DocumentFactory(finalised=True), now=NOW) == (
        "It is not overdue: no late fees are due."
    )
    assert _refusal(paid) == "It is not overdue: no late fees are due."
    assert _refusal(DocumentFactory(finalised=True, client__is_business=False)) == (
        "Late fees apply only to a French company's invoices to a business."
    )
    assert _refusal(DocumentFactory()) == "Only an issued invoice has late fees."


def test_the_invoice_of_late_fees_is_not_subject_to_vat_in_its_einvoice():
    invoice = DocumentFactory(finalised=True)
    draft = services.invoice_late_fees_bill(invoice=invoice, actor=None, now=LATE)
    services.document_finalise(document=draft, actor=None, now=LATE)
    draft.refresh_from_db()

    xml = facturx.invoice_xml(draft.current_version.content)

    assert validation.validate(xml) == []
    settlement = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/"
    assert einvoice.xml_value(xml, settlement + "ram:CategoryCode") == ["O"]
    assert einvoice.xml_value(xml, settlement + "ram:ExemptionReasonCode") == [
        "VATEX-EU-O"
    ]
    assert einvoice.xml_value(xml, "//ram:RateApplicablePercent") == []
    assert einvoice.xml_value(xml, "//ram:SpecifiedTaxRegistration/ram:ID") == []
    assert einvoice.xml_value(
        xml, "//ram:InvoiceReferencedDocument/ram:IssuerAssignedID"
    ) == [invoice.number]


def test_the_back_office_asks_with_the_amounts_then_adds_the_late_fees(client):
    company = CompanyFactory()
    sign_in(client, company)
    invoice = DocumentFactory(client__company=company, finalised=True)
    url = f"/admin/documents/document/{invoice.pk}/actions/add_late_fees/"

    with time_machine.travel(LATE):
        page = client.get(f"/admin/documents/invoice/{invoice.pk}/change/")
        asked = client.get(url)
        response = client.post(url)
        again = client.post(url)
        billed_page = client.get(f"/admin/documents/invoice/{invoice.pk}/change/")

    assert url in page.content.decode()
    text = asked.content.decode()
    assert "will bill €41.20" in text
    assert "late-payment interest of €1.20: 30 days late at 12.15% a year" in text
    assert "the fixed recovery indemnity of €40.00." in text
    draft = Document.objects.for_company(company).get(late_fees_of=invoice)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/documents/invoice/{draft.pk}/change/"
    assert messages_of(response) == [
        "INV-2026-0001: its late fees are billed on a new draft invoice: "
        "read it, then finalise and send it."
    ]
    assert again.status_code == 302
    assert messages_of(again)[-1] == (
        "INV-2026-0001: Its late fees are already on a draft invoice: finalise "
        "and send it, or delete it to bill them again."
    )
    assert Document.objects.for_company(company).filter(kind="invoice").count() == 2
    html = billed_page.content.decode()
    assert (
        f'<a href="/admin/documents/invoice/{draft.pk}/change/" '
        'id="late-fees-billed">Billed on a draft invoice, not sent yet</a>' in html
    )
    assert url not in html  # billed: not offered again
    draft_page = client.get(f"/admin/documents/invoice/{draft.pk}/change/")
    assert 'id="late-fees-of">Late fees of INV-2026-0001</a>' in (
        draft_page.content.decode()
    )


def test_the_back_office_refuses_cleanly_when_nothing_is_due(client):
    company = CompanyFactory()
    sign_in(client, company)
    invoice = DocumentFactory(client__company=company, finalised=True)
    url = f"/admin/documents/document/{invoice.pk}/actions/add_late_fees/"

    with time_machine.travel(dt.datetime(2026, 3, 15, 9, tzinfo=dt.UTC)):
        page = client.get(f"/admin/documents/invoice/{invoice.pk}/change/")
        asked = client.get(url)
        response = client.post(url)

    assert url not in page.content.decode()
    assert asked.status_code == 200
    assert "It is not overdue: no late fees are due." in asked.content.decode()
    assert response.status_code == 302
    assert messages_of(response) == [
        "INV-2026-0001: It is not overdue: no late fees are due."
    ]
    assert (
        not Document.objects.for_company(company).filter(late_fees_of=invoice).exists()
    )


def test_a_reporting_member_cannot_add_late_fees(client):
    company = CompanyFactory()
    sign_in(client, company, role="reporting")
    invoice = DocumentFactory(client__company=company, finalised=True)

    with time_machine.travel(LATE):
        response = client.post(
            f"/admin/documents/document/{invoice.pk}/actions/add_late_fees/"
        )

    assert response.status_code == 403
    assert (
        not Document.objects.for_company(company).filter(late_fees_of=invoice).exists()
    )


def test_the_rate_tables_are_in_order_and_a_later_day_uses_the_last_row():
    for table in (
        late_payment.ECB_REFINANCING_RATES,
        late_payment.LEGAL_INTEREST_RATES,
    ):
        starts = [start for start, _rate in table]
        assert starts == sorted(starts) and len(set(starts)) == len(starts)
        assert all(start.day == 1 and start.month in (1, 7) for start in starts)
    last_ecb = late_payment.ECB_REFINANCING_RATES[-1][1]
    last_legal = late_payment.LEGAL_INTEREST_RATES[-1][1]

    far = dt.date(2031, 10, 1)

    assert late_payment.legal_penalty_rate(far) == last_ecb + 10
    assert late_payment.penalty_rate_floor(far) == last_legal * 3


def test_an_invoice_of_late_fees_takes_no_line_with_vat():
    invoice = DocumentFactory(finalised=True)
    draft = services.invoice_late_fees_bill(invoice=invoice, actor=None, now=LATE)
    lines = [*services.document_lines(draft), line_of("Consulting", "1", "100.00")]
    services.document_update(document=draft, lines=lines, actor=None, now=LATE)

    problems = services.finalise_problems(document=draft, now=LATE)

    assert (
        "An invoice not subject to VAT (late fees) carries only lines at 0 % VAT: "
        "bill the other lines on another invoice." in problems
    )
    with pytest.raises(services.DocumentNotFinalisable):
        services.document_finalise(document=draft, actor=None, now=LATE)


def test_add_late_fees_from_the_invoices_list_asks_then_bills_each(client):
    company = CompanyFactory()
    sign_in(client, company)
    late = DocumentFactory(client__company=company, finalised=True)
    paid = DocumentFactory(client__company=company, finalised=True)
    payment_record(
        invoice=paid, amount=paid.total, method="transfer", actor=None, now=NOW
    )
    selection = {
        "action": "add_late_fees",
        "index": "0",
        "_selected_action": [late.pk, paid.pk],
    }

    with time_machine.travel(LATE):
        asked = client.post("/admin/documents/invoice/", selection)
        billed_before = Document.objects.for_company(company).count()
        done = client.post(
            "/admin/documents/invoice/", {**selection, "confirmed": "yes"}
        )

    text = asked.content.decode()
    assert "will bill €41.20" in text
    assert "It is not overdue: no late fees are due." in text
    assert billed_before == 2
    assert messages_of(done) == [
        "INV-2026-0001: its late fees are billed on a new draft invoice: "
        "read it, then finalise and send it.",
        "INV-2026-0002: It is not overdue: no late fees are due.",
    ]
    late.refresh_from_db()
    assert late.late_fees_invoice.total == Decimal("41.20")
    assert Document.objects.for_company(company).count() == 3


def test_the_portal_names_the_invoice_billing_the_late_fees_and_the_reverse(client):
    invoice = DocumentFactory(finalised=True)
    token = invoice.client.portal_token
    draft = services.invoice_late_fees_bill(invoice=invoice, actor=None, now=LATE)
    page_url = f"/p/{token}/documents/{invoice.pk}/"

    with time_machine.travel(LATE):
        before = client.get(page_url).content.decode()  # a draft is not shown
        fees = services.document_finalise(document=draft, actor=None, now=LATE)
        original = client.get(page_url).content.decode()
        billing = client.get(f"/p/{token}/documents/{fees.pk}/").content.decode()

    assert 'data-late-fees="billed_on"' not in before
    assert 'id="late-interest"' not in original  # claimed on the other invoice
    assert (
        f'data-late-fees="billed_on"><a href="/p/{token}/documents/{fees.pk}/">'
        f"Late fees billed on invoice {fees.number}</a>"
    ) in original
    assert (
        f'data-late-fees="of"><a href="/p/{token}/documents/{invoice.pk}/">'
        f"Late fees of invoice {invoice.number}</a>"
    ) in billing


def test_add_late_fees_on_one_invoice_of_the_list_goes_to_its_draft(client):
    company = CompanyFactory()
    sign_in(client, company)
    late = DocumentFactory(client__company=company, finalised=True)
    selection = {
        "action": "add_late_fees",
        "index": "0",
        "_selected_action": [late.pk],
        "confirmed": "yes",
    }

    with time_machine.travel(LATE):
        done = client.post("/admin/documents/invoice/", selection)

    late.refresh_from_db()
    assert done.status_code == 302
    assert done["Location"] == (
        f"/admin/documents/invoice/{late.late_fees_invoice_id}/change/"
    )

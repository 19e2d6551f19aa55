"""The back office's payment list: the company's own, read-only."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages

from payments import services
from payments.models import Payment
from tests.backoffice import sign_in
from tests.factories import NOW, CompanyFactory, DocumentFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/payments/payment/"


def paid_invoice(**kwargs):
    invoice = DocumentFactory(finalised=True, **kwargs)
    return services.invoice_mark_paid(invoice=invoice, actor=None, now=NOW)


@pytest.mark.parametrize("role", ["owner", "admin", "reporting"])
def test_list_shows_only_the_company_s_payments(client, role):
    company = CompanyFactory()
    sign_in(client, company, role=role)
    mine = paid_invoice(client__company=company)
    paid_invoice()

    response = client.get(LIST_URL)

    assert list(response.context["cl"].result_list) == [mine]
    # Owners and admins record payments by hand; reporting only reads.
    assert (mine.amount, response.context["has_add_permission"]) == (
        Decimal("120.00"),
        role != "reporting",
    )


def test_search_by_invoice_number_stays_in_the_company(client):
    company = CompanyFactory()
    sign_in(client, company)
    paid_invoice()

    response = client.get(LIST_URL, {"q": "INV-2026-0001"})

    assert list(response.context["cl"].result_list) == []


def test_a_payment_is_shown_read_only(client):
    company = CompanyFactory()
    sign_in(client, company)
    payment = paid_invoice(client__company=company)
    url = f"/admin/payments/payment/{payment.pk}/change/"

    page = client.get(url)
    post = client.post(url, {"amount": "1.00"})

    assert (page.status_code, page.context["has_change_permission"]) == (200, False)
    assert post.status_code == 403
    payment.refresh_from_db()
    assert payment.amount == Decimal("120.00")


def test_reporting_adds_nothing_and_nobody_deletes_payments(client):
    company = CompanyFactory()
    sign_in(client, company, role="reporting")
    payment = paid_invoice(client__company=company)

    add = client.get("/admin/payments/payment/add/")
    delete = client.post(
        f"/admin/payments/payment/{payment.pk}/delete/", {"post": "yes"}
    )

    assert (add.status_code, delete.status_code) == (403, 403)
    assert Payment.objects.filter(pk=payment.pk).exists()


def test_another_company_s_payment_does_not_exist(client):
    sign_in(client, CompanyFactory())
    theirs = paid_invoice()

    response = client.get(f"/admin/payments/payment/{theirs.pk}/change/")

    assert (response.status_code, response.url) == (302, "/admin/")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"payment with ID “{theirs.pk}” doesn’t exist. Perhaps it was deleted?"
    ]


def test_manager_gets_403_on_payments(client):
    company = CompanyFactory()
    sign_in(client, company, role="manager")
    payment = paid_invoice(client__company=company)

    responses = [
        client.get(LIST_URL),
        client.get(f"/admin/payments/payment/{payment.pk}/change/"),
    ]

    assert [response.status_code for response in responses] == [403, 403]

"""Payment terms: the due date they give, month ends and leap years included."""

import datetime as dt

import pytest

from companies.payment_terms import PaymentTerms, payment_terms_for
from tests.factories import ClientFactory, CompanyFactory

D = dt.date


@pytest.mark.parametrize(
    ("issued", "days", "end_of_month", "due"),
    [
        (D(2026, 3, 2), 30, False, D(2026, 4, 1)),
        (D(2026, 3, 2), 0, False, D(2026, 3, 2)),  # on receipt
        (D(2026, 3, 2), 30, True, D(2026, 4, 30)),
        (D(2026, 1, 31), 30, True, D(2026, 3, 31)),  # 2 March, then month end
        (D(2024, 1, 30), 30, True, D(2024, 2, 29)),  # leap year: 29 February
        (D(2023, 1, 30), 29, True, D(2023, 2, 28)),  # not a leap year
        (D(2024, 2, 29), 0, True, D(2024, 2, 29)),
        (D(2026, 12, 15), 45, True, D(2027, 1, 31)),  # into the next year
        (D(2026, 11, 30), 31, False, D(2026, 12, 31)),
    ],
)
def test_due_date_from_terms(issued, days, end_of_month, due):
    assert PaymentTerms(days, end_of_month).due_date(issued) == due


def test_terms_read_as_words():
    assert [
        str(PaymentTerms(0)),
        str(PaymentTerms(1)),
        str(PaymentTerms(30)),
        str(PaymentTerms(45, True)),
    ] == ["on receipt", "1 day", "30 days", "45 days end of month"]


@pytest.mark.django_db
def test_a_client_s_own_terms_win_over_the_company_s():
    company = CompanyFactory(payment_terms_days=30, payment_terms_end_of_month=False)
    plain = ClientFactory(company=company)
    own = ClientFactory(
        company=company, payment_terms_days=45, payment_terms_end_of_month=True
    )
    assert payment_terms_for(company, plain) == PaymentTerms(30, False)
    assert payment_terms_for(company, own) == PaymentTerms(45, True)
    assert payment_terms_for(company) == PaymentTerms(30, False)

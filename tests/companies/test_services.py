import pytest

from companies import services
from companies.models import AuditEvent, Company
from tests.factories import NOW, CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_company_update_changes_the_given_settings():
    company = CompanyFactory(name="Old name")

    services.company_update(
        company=company, actor=None, now=NOW, name="New name", default_currency="USD"
    )

    company.refresh_from_db()
    assert (company.name, company.default_currency) == ("New name", "USD")


def test_company_update_refuses_the_add_on_flag():
    company = CompanyFactory(has_receivables_addon=False)

    with pytest.raises(ValueError, match="has_receivables_addon"):
        services.company_update(
            company=company, actor=None, now=NOW, has_receivables_addon=True
        )

    assert Company.objects.get(pk=company.pk).has_receivables_addon is False


def test_company_update_records_who_changed_which_settings():
    company = CompanyFactory(name="Old name")
    member = UserFactory()

    services.company_update(
        company=company, actor=member, now=NOW, name="New name", iban=company.iban
    )

    event = AuditEvent.objects.for_company(company).get()
    assert (event.kind, event.actor, event.actor_name, event.at, event.details) == (
        "settings_changed",
        member,
        str(member),
        NOW,
        {"fields": ["name"]},
    )
    assert (event.subject_type, event.subject_id) == ("companies.company", company.pk)


def test_an_update_that_changes_nothing_saves_and_records_nothing():
    company = CompanyFactory(name="Same")
    updated_at = company.updated_at

    services.company_update(company=company, actor=None, now=NOW, name="Same")

    company.refresh_from_db()
    assert company.updated_at == updated_at
    assert not AuditEvent.objects.for_company(company).exists()

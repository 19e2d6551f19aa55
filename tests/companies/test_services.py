import pytest

from companies import services
from companies.models import Company
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db


def test_company_update_changes_the_given_settings():
    company = CompanyFactory(name="Old name")

    services.company_update(company=company, name="New name", default_currency="USD")

    company.refresh_from_db()
    assert (company.name, company.default_currency) == ("New name", "USD")


def test_company_update_refuses_the_add_on_flag():
    company = CompanyFactory(has_receivables_addon=False)

    with pytest.raises(ValueError, match="has_receivables_addon"):
        services.company_update(company=company, has_receivables_addon=True)

    assert Company.objects.get(pk=company.pk).has_receivables_addon is False

"""A page a member's role does not open is said inside the back office."""

import pytest

from tests.backoffice import sign_in
from tests.factories import CompanyFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_a_reporting_member_s_deep_link_says_what_to_do(client):
    company = CompanyFactory(name="Atelier Nord")
    MembershipFactory(
        company=company,
        role="owner",
        user__full_name="Alice Martin",
        user__email="alice@atelier.example",
    )
    sign_in(client, company, role="reporting")

    response = client.get("/admin/documents/invoice/add/")

    page = response.content.decode()
    assert response.status_code == 403
    assert "403 Forbidden" not in page
    assert 'id="user-tools"' in page  # the back office's own header
    assert "Your role at Atelier Nord (Reporting) does not open this page." in page
    assert "it changes nothing" in page
    assert '<a href="mailto:alice@atelier.example">' in page
    assert 'href="/admin/"' in page


def test_in_french_for_a_french_member(client):
    company = CompanyFactory(name="Atelier Nord")
    user = sign_in(client, company, role="reporting")
    user.language = "fr"
    user.save(update_fields=["language"])

    response = client.get("/admin/documents/invoice/add/")

    assert response.status_code == 403
    assert "Votre rôle chez Atelier Nord" in response.content.decode()


def test_outside_the_back_office_django_s_answer_stays(client):
    """Signed out: no back-office layout (nor any company's name) to show."""
    response = client.get("/admin/documents/invoice/add/")

    assert response.status_code == 302  # to the sign-in page, as before

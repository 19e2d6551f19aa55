"""The bare address and the browser's icon request answer something useful."""

import pytest
from django.contrib.staticfiles import finders


@pytest.mark.django_db
def test_the_bare_address_leads_to_the_back_office_sign_in(client):
    reply = client.get("/", follow=True)

    assert reply.redirect_chain[0] == ("/admin/", 302)
    assert reply.request["PATH_INFO"] == "/admin/login/"
    assert reply.status_code == 200


def test_the_browsers_icon_request_is_sent_to_a_real_icon(client):
    reply = client.get("/favicon.ico")

    assert reply.status_code == 301
    assert reply["Location"].endswith("site/favicon.svg")
    icon = finders.find("site/favicon.svg")
    assert icon and open(icon).read().startswith("<svg")

"""Times the portal shows carry their zone: a client abroad reads "10:30 CET",
not a bare Paris time."""

import datetime as dt
import re

import pytest
from django.utils import timezone, translation

from documents.templatetags.document_format import moment_zoned
from tests.factories import NOW, ClientFactory
from tests.portal.helpers import invoice, url

pytestmark = pytest.mark.django_db


def test_the_history_shows_its_times_with_their_zone(client):
    customer = ClientFactory()
    bill = invoice(customer)

    html = client.get(url("document", customer, document_id=bill.pk)).content.decode()

    shown = re.findall(r"<time datetime=\"[^\"]+\">([^<]+)</time>", html)
    times = [text for text in shown if ":" in text]  # not the dates
    assert times
    assert all(time.endswith((" CET", " CEST")) for time in times), times


@pytest.mark.parametrize(
    ("zone", "moment", "expected"),
    [
        ("Europe/Paris", NOW, "Mar 2, 2026, 10:30\u202fAM CET"),
        (
            "Europe/Paris",
            dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.UTC),
            "Jul 1, 2026, 10:00\u202fAM CEST",
        ),
        ("Europe/London", NOW, "Mar 2, 2026, 9:30\u202fAM GMT"),
        ("UTC", NOW, "Mar 2, 2026, 9:30\u202fAM UTC"),
    ],
)
def test_a_moment_names_the_zone_it_is_shown_in(zone, moment, expected):
    with timezone.override(zone), translation.override("en"):
        assert moment_zoned(moment) == expected


def test_a_moment_in_french_keeps_its_zone():
    with timezone.override("Europe/Paris"), translation.override("fr"):
        assert moment_zoned(NOW) == "2 mars 2026, 10:30 CET"


def test_anything_else_is_nothing():
    assert moment_zoned("2026-03-02") == ""

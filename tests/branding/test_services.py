import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from branding.models import BrandKit
from branding.services import BrandKitInvalid, brand_kit_save
from clients.models import Client
from companies.models import AuditEvent
from tests.branding.helpers import image_bytes, jpeg_with_exif, upload
from tests.factories import (
    NOW,
    BrandKitFactory,
    ClientFactory,
    CompanyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _save(company, **overrides):
    values = {
        "company": company,
        "actor": None,
        "now": NOW,
        "display_name": "Acme",
        "primary_colour": "#1f3a5f",
        "accent_colour": "#E07A1F",
    }
    return brand_kit_save(**(values | overrides))


def test_brand_kit_save_creates_the_kit_with_normalised_colours():
    company = CompanyFactory()

    kit = _save(company, display_name="  Acme Studio  ")

    assert (kit.company, kit.display_name, kit.primary_colour, kit.accent_colour) == (
        company,
        "Acme Studio",
        "#1F3A5F",
        "#E07A1F",
    )
    assert not kit.logo


def test_brand_kit_save_changes_the_one_kit_of_the_company():
    company = CompanyFactory()
    first = _save(company)

    second = _save(company, display_name="Acme 2", primary_colour="#000000")

    assert second.pk == first.pk
    kits = BrandKit.objects.for_company(company)
    assert list(kits.values_list("display_name", "primary_colour")) == [
        ("Acme 2", "#000000")
    ]


def test_each_change_of_the_kit_records_who_changed_what():
    company = CompanyFactory()
    member = UserFactory()
    _save(company, actor=member)

    _save(company, actor=member, primary_colour="#000000")
    _save(company, actor=member, primary_colour="#000000")  # nothing changes

    events = AuditEvent.objects.for_company(company).order_by("at", "pk")
    assert [(e.kind, e.actor, e.details["fields"]) for e in events] == [
        ("brand_changed", member, ["accent_colour", "display_name", "primary_colour"]),
        ("brand_changed", member, ["primary_colour"]),
    ]


def test_logo_is_stored_as_a_clean_png_in_the_default_storage():
    company = CompanyFactory()

    kit = _save(company, logo=upload(jpeg_with_exif(), "me.jpg", "image/jpeg"))

    assert kit.logo.name.startswith(f"logos/{company.pk}-")
    assert kit.logo.name.endswith(".png")
    with default_storage.open(kit.logo.name, "rb") as stored:
        data = stored.read()
    assert Image.open(io.BytesIO(data)).format == "PNG"
    assert b"SecretCamera" not in data


def test_replacing_the_logo_deletes_the_old_file_after_commit(
    django_capture_on_commit_callbacks,
):
    company = CompanyFactory()
    with django_capture_on_commit_callbacks(execute=True):
        old = _save(company, logo=upload(image_bytes("PNG"))).logo.name

    with django_capture_on_commit_callbacks(execute=True):
        new = _save(company, logo=upload(image_bytes("WEBP"), "x.webp")).logo.name

    assert new != old
    assert (default_storage.exists(old), default_storage.exists(new)) == (False, True)


def test_remove_logo_clears_it():
    company = CompanyFactory()
    _save(company, logo=upload(image_bytes("PNG")))

    kit = _save(company, remove_logo=True)

    kit.refresh_from_db()
    assert not kit.logo


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"primary_colour": "red"}, "primary_colour"),
        ({"accent_colour": "#E07A1F;}body{display:none}"}, "accent_colour"),
        ({"primary_colour": "#FFF"}, "primary_colour"),
        ({"display_name": "   "}, "display_name"),
        ({"display_name": "x" * 201}, "display_name"),
        (
            {"logo": upload(b"<svg xmlns='http://www.w3.org/2000/svg'/>", "l.svg")},
            "logo",
        ),  # noqa: E501
    ],
)
def test_invalid_kits_are_refused_and_nothing_is_written(overrides, field):
    company = CompanyFactory()

    with pytest.raises(BrandKitInvalid) as refusal:
        _save(company, **overrides)

    assert refusal.value.field == field
    assert not BrandKit.objects.for_company(company).exists()


def test_a_refused_change_leaves_the_kit_as_it_was():
    kit = BrandKitFactory(primary_colour="#123456")

    with pytest.raises(BrandKitInvalid):
        _save(kit.company, primary_colour="javascript:alert(1)")

    kit.refresh_from_db()
    assert kit.primary_colour == "#123456"


def test_saving_the_kit_bumps_the_portal_revision_of_every_client_of_the_company():
    company = CompanyFactory()
    clients = [ClientFactory(company=company), ClientFactory(company=company)]
    stranger = ClientFactory()

    _save(company)

    revisions = dict(
        Client.objects.for_company(company).values_list("pk", "portal_revision")
    )
    assert revisions == {client.pk: client.portal_revision + 1 for client in clients}
    stranger_revision = (
        Client.objects.for_company(stranger.company).get().portal_revision
    )
    assert stranger_revision == stranger.portal_revision

import pytest
from django.urls import reverse

from branding.models import BrandKit
from tests.branding.helpers import image_bytes, upload
from tests.factories import BrandKitFactory, MembershipFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:branding_brandkit_changelist"
ADD = "admin:branding_brandkit_add"
CHANGE = "admin:branding_brandkit_change"


def _member(client, role):
    membership = MembershipFactory(role=role)
    client.force_login(membership.user)
    return membership.company


def _form(**overrides):
    return {
        "display_name": "Acme Studio",
        "primary_colour": "#1f3a5f",
        "accent_colour": "#e07a1f",
        "_save": "Save",
    } | overrides


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_owner_and_admin_add_the_kit_through_the_service(client, role):
    company = _member(client, role)

    response = client.post(
        reverse(ADD), _form(new_logo=upload(image_bytes("JPEG"), "logo.jpg"))
    )

    kit = BrandKit.objects.for_company(company).get()
    assert response.status_code == 302
    assert (kit.display_name, kit.primary_colour, kit.accent_colour) == (
        "Acme Studio",
        "#1F3A5F",
        "#E07A1F",
    )
    assert kit.logo.name.endswith(".png")


def test_add_page_has_colour_pickers_and_the_live_preview(client):
    _member(client, "owner")

    page = client.get(reverse(ADD)).content.decode()

    assert page.count('type="color"') == 2
    assert 'id="brand-preview"' in page
    assert 'data-primary="#1F3A5F"' in page
    assert "branding/brand_preview.js" in page
    assert "<script>" not in page.split('id="brand-preview-module"')[1]


def test_changelist_leads_to_the_one_kit_or_to_adding_it(client):
    company = _member(client, "owner")
    assert client.get(reverse(CHANGELIST)).url == reverse(ADD)

    kit = BrandKitFactory(company=company)

    assert client.get(reverse(CHANGELIST)).url == reverse(CHANGE, args=[kit.pk])
    assert client.get(reverse(ADD)).status_code == 403


def test_owner_changes_the_kit(client):
    company = _member(client, "owner")
    kit = BrandKitFactory(company=company)

    response = client.post(
        reverse(CHANGE, args=[kit.pk]), _form(primary_colour="#000000")
    )

    assert response.status_code == 302
    assert BrandKit.objects.for_company(company).get().primary_colour == "#000000"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"new_logo": upload(b"<svg xmlns='http://www.w3.org/2000/svg'/>", "l.svg")},
            "new_logo",
            "Upload a PNG, JPEG or WebP image. Other formats, SVG included, "
            "are not accepted.",
        ),
        (
            {"new_logo": upload(b"not an image", "logo.png")},
            "new_logo",
            "Upload a PNG, JPEG or WebP image. Other formats, SVG included, "
            "are not accepted.",
        ),
        (
            {"primary_colour": "#1F3A5G"},
            "primary_colour",
            "Enter a colour as # followed by six hexadecimal digits, like #1F3A5F.",
        ),
    ],
)
def test_bad_input_is_a_form_error_and_nothing_is_saved(client, data, field, message):
    company = _member(client, "owner")

    response = client.post(reverse(ADD), _form(**data))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field] == [message]
    assert not BrandKit.objects.for_company(company).exists()


def test_reporting_sees_the_kit_but_cannot_change_it(client):
    company = _member(client, "reporting")
    kit = BrandKitFactory(company=company, primary_colour="#123456")

    page = client.get(reverse(CHANGE, args=[kit.pk]))
    refused = client.post(reverse(CHANGE, args=[kit.pk]), _form())

    assert page.status_code == 200
    assert 'type="color"' not in page.content.decode()
    assert refused.status_code == 403
    assert client.get(reverse(ADD)).status_code == 403
    assert BrandKit.objects.for_company(company).get().primary_colour == "#123456"


def test_manager_gets_403_everywhere(client):
    company = _member(client, "manager")
    kit = BrandKitFactory(company=company)

    statuses = [
        client.get(reverse(CHANGELIST)).status_code,
        client.get(reverse(ADD)).status_code,
        client.get(reverse(CHANGE, args=[kit.pk])).status_code,
        client.post(reverse(CHANGE, args=[kit.pk]), _form()).status_code,
    ]

    assert statuses == [403, 403, 403, 403]


def test_another_companys_kit_is_not_reachable(client):
    _member(client, "owner")
    other = BrandKitFactory(primary_colour="#123456")

    response = client.post(reverse(CHANGE, args=[other.pk]), _form())

    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    assert BrandKit.objects.for_company(other.company).get().primary_colour == "#123456"


def test_without_the_add_on_the_brand_kit_says_nothing_of_a_portal(client):
    company = _member(client, "owner")
    company.has_receivables_addon = False
    company.save()
    kit = BrandKitFactory(company=company)

    add_page = client.get(reverse(ADD))  # the kit exists: not offered
    page = client.get(reverse(CHANGE, args=[kit.pk])).content.decode()

    own = page[page.index('<div id="content"') : page.index("<footer")]
    assert add_page.status_code == 403
    assert 'id="brand-preview"' not in own
    assert "portal" not in own.lower()
    assert "The name your clients see on your e-mails and documents." in own


def test_with_the_add_on_the_help_speaks_of_the_portal(client):
    company = _member(client, "owner")
    kit = BrandKitFactory(company=company)

    page = client.get(reverse(CHANGE, args=[kit.pk])).content.decode()

    assert "The name your clients see at the top of their portal." in page
    assert 'id="brand-preview"' in page

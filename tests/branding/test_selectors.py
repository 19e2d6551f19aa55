import pickle

import pytest

from branding.colours import palette_for
from branding.selectors import brand_for_company, brand_from_values, brand_values
from branding.services import brand_kit_save
from tests.factories import NOW, CompanyFactory

pytestmark = pytest.mark.django_db


def test_brand_values_are_plain_strings_that_rebuild_the_same_brand():
    company = CompanyFactory()
    kit = brand_kit_save(
        actor=None,
        now=NOW,
        company=company,
        display_name="Acme",
        primary_colour="#FFE066",
        accent_colour="#777777",
    )

    values = brand_values(company=company)

    assert values == {
        "display_name": "Acme",
        "logo_name": "",
        "primary_colour": "#FFE066",
        "accent_colour": "#777777",
        "version": f"{kit.pk}-{kit.updated_at:%Y%m%d%H%M%S%f}",
    }
    assert pickle.loads(pickle.dumps(values)) == values  # any cache can hold them
    brand = brand_from_values(company=company, values=values)
    assert brand == brand_for_company(company=company)
    assert (brand.name, brand.logo_name, brand.version) == (
        "Acme",
        "",
        values["version"],
    )
    assert brand.palette == palette_for(primary="#FFE066", accent="#777777")


def test_without_a_kit_the_company_name_and_default_colours():
    company = CompanyFactory(name="Plain Company")

    values = brand_values(company=company)
    brand = brand_from_values(company=company, values=values)

    assert values is None
    assert (brand.name, brand.logo_name, brand.version) == (
        "Plain Company",
        "",
        "default",
    )
    assert brand.palette == palette_for(primary="#1F3A5F", accent="#E07A1F")


def test_an_empty_kit_name_falls_back_to_the_company_name_read_live():
    company = CompanyFactory(name="Plain Company")
    values = {
        "display_name": "",
        "logo_name": "logos/1-abc.png",
        "primary_colour": "#1F3A5F",
        "accent_colour": "#E07A1F",
        "version": "7-20260302093000000000",
    }

    brand = brand_from_values(company=company, values=values)

    assert (brand.name, brand.logo_name, brand.has_logo, brand.version) == (
        "Plain Company",
        "logos/1-abc.png",
        True,
        "7-20260302093000000000",
    )


def test_a_stored_colour_that_is_not_hex_falls_back_to_the_default():
    company = CompanyFactory()
    values = {
        "display_name": "Acme",
        "logo_name": "",
        "primary_colour": "red",
        "accent_colour": "#E07A1F",
        "version": "1-x",
    }

    brand = brand_from_values(company=company, values=values)

    assert brand.palette.primary.background == "#1F3A5F"

"""The formatting filters of documents/_document_body.html, in any language."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

NNBSP, NBSP = "\u202f", "\xa0"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", f"1{NNBSP}234,56{NBSP}€ · 27 nov. 2026 · 2,5 · 5,5{NBSP}%"),
        ("en", "€1,234.56 · Nov 27, 2026 · 2.5 · 5.5%"),
    ],
)
def test_format_filters_follow_the_active_language(language, expected):
    template = Template(
        "{% load document_format %}{{ total|money_format:'EUR' }} · "
        "{{ day|day_format }} · {{ quantity|number_format }} · {{ rate|rate_format }}"
    )
    context = Context(
        {
            "total": Decimal("1234.56"),
            "day": "2026-11-27",
            "quantity": "2.5",
            "rate": "5.5",
        }
    )

    with translation.override(language):
        assert template.render(context) == expected


def test_format_filters_leave_missing_values_empty():
    template = Template(
        "{% load document_format %}[{{ none|money_format:'EUR' }}|{{ none|day_format }}"
        "|{{ bad|day_format }}|{{ bad|number_format }}|{{ none|moment_format }}]"
    )

    assert template.render(Context({"none": None, "bad": "nope"})) == "[||||]"

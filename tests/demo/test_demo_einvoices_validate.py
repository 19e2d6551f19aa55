"""The demo's every invoice and credit note, as its PDF carries it, passes
the official rule sets (CEN EN 16931, Factur-X EN16931, and BR-FR for the
French sellers) with nothing reported, and no PDF asks for image
interpolation (PDF/A-1 to 3, rule 6.2.8-3)."""

import pytest

from demo import seed
from documents.models import Document
from einvoicing import facturx, validation
from printing import pdf
from tests.printing.pdfa import interpolated_images

pytestmark = pytest.mark.django_db


def test_every_demo_einvoice_passes_the_official_validators_with_nothing_reported():
    seed.seed()
    documents = (
        Document.objects.exclude(kind=Document.Kind.QUOTE)  # unscoped: the demo
        .exclude(status=Document.Status.DRAFT)
        .select_related("current_version", "company", "client")
        .order_by("company_id", "number")
    )

    reports = {}
    french_checked = 0
    for document in documents:
        data = pdf.version_pdf_render(version=document.current_version)
        xml = facturx.xml_from_pdf(data)
        assert xml is not None, document.number
        reports[f"{document.company.name} {document.number}"] = [
            (finding.rule, finding.flag) for finding in validation.validate(xml)
        ] + [("Interpolate", image) for image in interpolated_images(data)]
        french_checked += validation.BR_FR in validation.rule_sets_for(xml)

    assert len(reports) == 16
    assert french_checked == len(reports) - 1  # Northwind Studio is British
    assert {name: found for name, found in reports.items() if found} == {}

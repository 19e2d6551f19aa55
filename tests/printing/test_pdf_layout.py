"""How a printed document falls on its pages, read back from the PDF with
poppler's pdftotext: labels are never split across lines, and a block is
moved to the next page only when it cannot fit on this one."""

import io
import re
import shutil
import subprocess

import pypdf
import pytest

from printing import pdf
from tests.factories import ClientFactory, CompanyFactory, DocumentFactory, line

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs pdftotext"),
]

MM = 72 / 25.4  # PDF points per millimetre
PAGE_BOTTOM_MARGIN_MM = 20  # static/pdf/document.css: @page margin
NOTE = "Les travaux seront réalisés selon le calendrier convenu avec le client. "


def _text_lines(data: bytes) -> list[str]:
    """Every printed line, its spaces made plain and single."""
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    return [
        " ".join(row.replace("\u202f", " ").replace("\xa0", " ").split())
        for row in text.splitlines()
    ]


def _page_count(data: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(data)).pages)


def _lowest_line_per_page(data: bytes) -> list[tuple[float, float]]:
    """(page height, bottom of the lowest word of the document's body) for each
    page, in points: the running footer is left out."""
    layout = subprocess.run(
        ["pdftotext", "-bbox", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    pages = []
    for page in layout.split("<page ")[1:]:
        height = float(re.search(r'height="([\d.]+)"', page).group(1))
        footer_top = height - PAGE_BOTTOM_MARGIN_MM * MM
        bottoms = [
            float(bottom)
            for bottom in re.findall(r'<word [^>]*yMax="([\d.]+)"', page)
            if float(bottom) < footer_top
        ]
        pages.append((height, max(bottoms)))
    return pages


def _french_invoice(**document):
    company = CompanyFactory(
        name="Atelier Lumière et Associés de la Rénovation Énergétique",
        default_locale="fr",
    )
    client = ClientFactory(
        company=company,
        locale="fr",
        name="Établissements Dupont-Villeneuve et Compagnie",
        siren="732829320",
        vat_number="FR44732829320",
        delivery_address="Entrepôt logistique\n44 avenue des Champs\n13000 Marseille",
    )
    return DocumentFactory(client=client, finalised=True, **document)


def test_french_labels_are_never_split_across_lines():
    # A long company name and a delivery address make the columns narrow.
    invoice = _french_invoice(
        lines=[line("Rénovation énergétique", "1", "100.00")],
        purchase_order="BC-2026-000123-REFERENCE",
    )

    lines = _text_lines(pdf.version_pdf_render(version=invoice.versions.get()))

    for label in [
        "Numéro de TVA",
        "Date d’émission",
        "Date d’échéance",
        "Votre commande",
        "Référence de paiement",
        "Informations de paiement".upper(),
        "Adresse de livraison".upper(),
    ]:
        assert any(label in row for row in lines), (label, lines)
    # Each label of the seller and the client on one line with its value.
    assert "Numéro de TVA: FR11123456782" in " ".join(lines)
    assert "Numéro de TVA: FR44732829320" in " ".join(lines)


def test_a_quote_whose_content_fits_one_page_prints_on_one_page():
    # Four lines, notes, the validity and the acceptance's boxes fill the page.
    quote = _french_invoice(
        kind="quote",
        lines=[line(f"Prestation numéro {n}", "1", "100.00") for n in range(1, 5)],
        notes=NOTE * 4,
    )

    data = pdf.version_pdf_render(version=quote.versions.get())

    assert _page_count(data) == 1
    assert any("ACCEPTATION" in row for row in _text_lines(data))


def test_long_notes_flow_across_the_page_instead_of_leaving_it_half_empty():
    # Notes of a third of a page, after lines that leave a quarter of the first
    # page: kept whole, they went to the next page and left that quarter blank.
    invoice = _french_invoice(
        lines=[line(f"Prestation numéro {n}", "1", "100.00") for n in range(1, 9)],
        notes=NOTE * 30,
    )

    data = pdf.version_pdf_render(version=invoice.versions.get())

    pages = _lowest_line_per_page(data)
    assert len(pages) == 2
    height, lowest = pages[0]
    blank_mm = (height - PAGE_BOTTOM_MARGIN_MM * MM - lowest) / MM
    assert blank_mm < 15, f"{blank_mm:.0f} mm left blank at the foot of page 1"
    everything = " ".join(_text_lines(data))
    assert everything.count("calendrier convenu") == 30  # nothing lost

""" "Download everything": one ZIP of every visible document's latest PDF and
Factur-X XML, streamed, read back here; a PDF not printed yet is left out and
named in a note inside the ZIP (nothing is printed by the request)."""

import io
import zipfile

import pytest
from django.core.files.storage import storages
from pypdf import PdfReader

from tests.factories import ClientFactory, DocumentFactory, line
from tests.portal.helpers import hide, url

pytestmark = pytest.mark.django_db


def _zip(client, customer) -> zipfile.ZipFile:
    response = client.get(url("documents_zip", customer))
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "private, no-store"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_the_zip_holds_every_printed_pdf_and_its_xml(
    client, django_capture_on_commit_callbacks
):
    customer = ClientFactory(locale="fr")
    with django_capture_on_commit_callbacks(execute=True):  # the worker's PDFs
        bill = DocumentFactory(
            client=customer, lines=[line("Audit", "1", "650.00")], finalised=True
        )
        quote = DocumentFactory(client=customer, kind="quote", finalised=True)
        hidden = DocumentFactory(client=customer, finalised=True)
    hide(hidden)
    bill.refresh_from_db()

    archive = _zip(client, customer)

    names = archive.namelist()
    bill_version = bill.current_version
    pdf_name = f"{bill.number}-v{bill_version.number}.pdf"
    assert pdf_name in names
    assert f"{bill.number}-v{bill_version.number}-factur-x.xml" in names
    assert f"{quote.number}-v1.pdf" in names
    assert not any(name.startswith(hidden.number) for name in names)
    with storages["documents"].open(bill_version.pdf_file.name, "rb") as stored:
        assert archive.read(pdf_name) == stored.read()
    assert PdfReader(io.BytesIO(archive.read(pdf_name))).pages
    assert archive.read(
        f"{bill.number}-v{bill_version.number}-factur-x.xml"
    ).startswith(b"<?xml")
    assert "NON-INCLUS.txt" not in names


def test_a_pdf_not_printed_yet_is_named_in_a_note(client):
    customer = ClientFactory(locale="fr")
    waiting = DocumentFactory(client=customer, finalised=True)  # no worker ran

    archive = _zip(client, customer)

    assert archive.namelist() == ["NON-INCLUS.txt"]
    note = archive.read("NON-INCLUS.txt").decode()
    assert f"{waiting.number}-v1.pdf" in note
    assert "en préparation" in note


def test_a_stored_file_that_changed_is_left_out(
    client, django_capture_on_commit_callbacks
):
    customer = ClientFactory()
    with django_capture_on_commit_callbacks(execute=True):
        bill = DocumentFactory(client=customer, finalised=True)
    name = bill.versions.get().pdf_file.name
    storages["documents"].delete(name)
    storages["documents"].save(name, io.BytesIO(b"%PDF-1.7 not the same"))

    archive = _zip(client, customer)

    assert archive.namelist() == ["NOT-INCLUDED.txt"]
    assert "temporarily unavailable" in archive.read("NOT-INCLUDED.txt").decode()


def test_an_unknown_token_is_a_404(client):
    assert client.get("/p/not-a-token/invoices/documents.zip").status_code == 404


def test_the_invoices_tab_links_to_it(client):
    customer = ClientFactory()
    DocumentFactory(client=customer, finalised=True)

    html = client.get(url("invoices", customer)).content.decode()

    assert f'href="{url("documents_zip", customer)}"' in html

"""PDFs in production: reproducible, time-limited, retried, checked, repaired."""

import hashlib
import io
import logging
import threading

import pypdf
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import CommandError, call_command

from documents.models import DocumentVersion, VersionPdfRender
from printing import engine as pdf_engine
from printing import pdf
from printing.downloads import version_pdf_response
from printing.store import version_pdf_ensure
from tests.backoffice import sign_in
from tests.factories import ClientFactory, DocumentFactory
from tests.printing.test_pdf import invoice_with_three_versions, stored_bytes

pytestmark = pytest.mark.django_db


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_version_prints_to_the_same_bytes_every_time_dated_by_the_version():
    _, version = invoice_with_three_versions()

    first = pdf.version_pdf_render(version=version)
    second = pdf.version_pdf_render(version=version)

    assert first == second
    info = pypdf.PdfReader(io.BytesIO(first)).metadata
    created = version.created_at.strftime("%Y%m%d%H%M%S")
    assert info["/CreationDate"].startswith(f"D:{created}")
    assert info["/ModDate"] == info["/CreationDate"]


def test_a_render_that_runs_out_of_time_is_stopped(settings):
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("the time limit is a timer signal: main thread only")
    _, version = invoice_with_three_versions()
    settings.PDF_RENDER_TIME_LIMIT_SECONDS = 0.001

    with pytest.raises(pdf_engine.RenderTimeout):
        pdf.version_pdf_render(version=version)


def test_a_time_limit_swallowed_by_a_catch_all_still_stops_the_render():
    """WeasyPrint logs and goes on when loading an image or a font fails with
    any Exception: a timer signal landing there must not let the render pass."""
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("the time limit is a timer signal: main thread only")
    swallowed = []

    with pytest.raises(pdf_engine.RenderTimeout), pdf_engine._time_limit(0.01):
        while not swallowed:
            try:
                sum(range(10_000))
            except Exception as exc:  # noqa: BLE001 - as WeasyPrint's loaders do
                swallowed.append(exc)

    assert isinstance(swallowed[0], pdf_engine.RenderTimeout)


@pytest.fixture
def broken_renderer(monkeypatch):
    def fail(*, version):
        raise pdf_engine.RenderTimeout("The PDF took more than 60 s to print.")

    monkeypatch.setattr(pdf, "version_pdf_render", fail)


def test_a_failing_render_is_retried_a_bounded_number_of_times_then_shown(
    client, django_capture_on_commit_callbacks, broken_renderer, settings, caplog
):
    settings.PDF_RENDER_ATTEMPTS = 3
    with caplog.at_level(logging.WARNING, logger="printing.tasks"):
        with django_capture_on_commit_callbacks(execute=True):
            document = DocumentFactory(finalised=True)
    version = document.versions.get()

    render = VersionPdfRender.objects.for_company(document.company).get()
    assert (render.version, render.attempts, version.pdf_sha256) == (version, 3, "")
    assert render.failed_at is not None
    assert render.last_error == "RenderTimeout: The PDF took more than 60 s to print."
    ours = [r.levelname for r in caplog.records if r.name == "printing.tasks"]
    assert ours == ["WARNING", "WARNING", "ERROR"]
    # The owner sees it on the document's page, with a way to try again.
    sign_in(client, document.company)
    page = client.get(f"/admin/documents/invoice/{document.pk}/change/")
    html = page.content.decode()
    assert "Printing failed 3 times: RenderTimeout" in html
    retry = f"/admin/documents/document/{document.pk}/versions/1/pdf/retry/"
    assert f'formaction="{retry}"' in html


def test_the_owner_tries_a_failed_render_again(
    client, django_capture_on_commit_callbacks, monkeypatch, settings
):
    real = pdf.version_pdf_render
    monkeypatch.setattr(
        pdf, "version_pdf_render", lambda *, version: 1 / 0
    )  # ZeroDivisionError
    with django_capture_on_commit_callbacks(execute=True):
        document = DocumentFactory(finalised=True)
    monkeypatch.setattr(pdf, "version_pdf_render", real)
    sign_in(client, document.company)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/documents/document/{document.pk}/versions/1/pdf/retry/"
        )

    version = document.versions.get()
    assert response.status_code == 302
    assert version.pdf_sha256 == hashlib.sha256(stored_bytes(version)).hexdigest()


def test_a_download_never_serves_bytes_that_differ_from_the_stored_sha256(rf, caplog):
    _, version = invoice_with_three_versions()
    version = version_pdf_ensure(version=version)
    storage = storages["documents"]
    original = stored_bytes(version)
    storage.delete(version.pdf_file.name)
    storage.save(version.pdf_file.name, ContentFile(original + b"%tampered"))

    with caplog.at_level(logging.ERROR, logger="printing.downloads"):
        response = version_pdf_response(
            request=rf.get("/", HTTP_ACCEPT="text/html"), version=version
        )

    assert response.status_code == 503
    assert b"%PDF" not in response.content
    assert "PDF temporarily unavailable" in response.content.decode()
    assert "NOT SERVED" in caplog.text and version.pdf_sha256 in caplog.text


def test_pdf_repair_puts_back_a_missing_and_an_altered_file(rf):
    _, version = invoice_with_three_versions()
    version = version_pdf_ensure(version=version)
    other = DocumentVersion.objects.for_company(version.company).get(
        document=version.document, number=3
    )
    other = version_pdf_ensure(version=other)
    storage = storages["documents"]
    original = stored_bytes(version)
    storage.delete(version.pdf_file.name)
    storage.delete(other.pdf_file.name)
    storage.save(other.pdf_file.name, ContentFile(b"%PDF-1.7 not ours"))
    assert version_pdf_response(request=rf.get("/"), version=version).status_code == 503

    out = io.StringIO()
    call_command("pdf_repair", stdout=out)

    assert f"repaired: version {version.pk} ({version.pdf_file.name}) was missing" in (
        out.getvalue()
    )
    assert f"repaired: version {other.pk} ({other.pdf_file.name}) was altered" in (
        out.getvalue()
    )
    assert stored_bytes(version) == original
    served = version_pdf_response(request=rf.get("/"), version=version)
    assert body(served) == original


def test_pdf_repair_reports_a_mismatch_and_writes_nothing(monkeypatch):
    _, version = invoice_with_three_versions()
    version = version_pdf_ensure(version=version)
    storages["documents"].delete(version.pdf_file.name)
    monkeypatch.setattr(pdf, "version_pdf_render", lambda *, version: b"%PDF other")

    out = io.StringIO()
    with pytest.raises(CommandError, match="1 problems need a person"):
        call_command("pdf_repair", stdout=out)

    assert f"MISMATCH: version {version.pk}" in out.getvalue()
    assert not storages["documents"].exists(version.pdf_file.name)


def test_pdf_repair_lists_failed_renders(
    django_capture_on_commit_callbacks, broken_renderer
):
    with django_capture_on_commit_callbacks(execute=True):
        document = DocumentFactory(finalised=True)
    version = document.versions.get()

    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("pdf_repair", "--dry-run", stdout=out)

    assert f"FAILED RENDER: version {version.pk}, 3 attempts" in out.getvalue()
    assert f"queued: version {version.pk} had no PDF yet" in out.getvalue()


def test_a_signed_pdf_not_sealed_yet_is_being_prepared_never_sealed_inline(client):
    from tests.portal.helpers import url
    from tests.portal.test_quote_answer import _quote, _sign_data

    portal = ClientFactory()
    quote = _quote(portal)
    # No commit here: the sealing task has not run.
    client.post(url("quote_sign", portal, document_id=quote.pk), _sign_data(quote))

    response = client.get(url("quote_signed_pdf", portal, document_id=quote.pk))

    assert (response.status_code, response["Retry-After"]) == (503, "5")
    assert response.content == b"The PDF is being prepared.\n"


def test_the_factur_x_xml_of_a_pdf_not_printed_yet_is_being_prepared(rf, pdf_renders):
    from printing.downloads import version_xml_response

    document = DocumentFactory(finalised=True)  # no commit: not printed yet

    response = version_xml_response(
        request=rf.get("/"), version=document.versions.get()
    )

    assert (response.status_code, response["Retry-After"], pdf_renders.count) == (
        503,
        "5",
        0,
    )

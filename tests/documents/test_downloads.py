"""version_pdf_response: what the portal and the back office send after their checks."""

import hashlib
import urllib.parse
import urllib.request

import boto3
import pytest
from django.core.files.storage import storages
from django.http import FileResponse
from moto.server import ThreadedMotoServer

from documents import pdf
from documents.downloads import version_pdf_response
from documents.models import DocumentVersion
from documents.pdf_store import version_pdf_ensure
from tests.documents.test_pdf import invoice_with_three_versions
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db

BUCKET = "portal-documents-test"


def body(response: FileResponse) -> bytes:
    return b"".join(response.streaming_content)


def test_download_streams_the_stored_pdf_with_private_headers(rf):
    document, version = invoice_with_three_versions()

    response = version_pdf_response(request=rf.get("/"), version=version)

    version = DocumentVersion.objects.for_company(document.company).get(pk=version.pk)
    data = body(response)
    assert response.status_code == 200
    assert hashlib.sha256(data).hexdigest() == version.pdf_sha256
    assert data.startswith(b"%PDF-")
    assert {
        header: response[header]
        for header in (
            "Content-Type",
            "Content-Disposition",
            "Content-Length",
            "ETag",
            "Cache-Control",
            "X-Robots-Tag",
        )
    } == {
        "Content-Type": "application/pdf",
        "Content-Disposition": 'attachment; filename="INV-2026-0001-v2.pdf"',
        "Content-Length": str(len(data)),
        "ETag": f'"{version.pdf_sha256}"',
        "Cache-Control": "private, no-store",
        "X-Robots-Tag": "noindex, nofollow",
    }


def test_the_same_version_downloaded_twice_renders_once(rf):
    _, version = invoice_with_three_versions()
    before = pdf.render_count()

    first = body(version_pdf_response(request=rf.get("/"), version=version))
    # A stale copy, as a second request would load it: no PDF recorded yet.
    assert version.pdf_sha256 == ""
    second = body(version_pdf_response(request=rf.get("/"), version=version))

    assert pdf.render_count() - before == 1
    assert first == second
    folder = f"documents/{version.company_id}/{version.document_id}"
    assert len(storages["documents"].listdir(folder)[1]) == 1


def test_an_already_rendered_pdf_is_served_without_rendering(
    rf, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    with django_capture_on_commit_callbacks(execute=True):
        document = DocumentFactory(finalised=True)
    version = document.versions.get()
    before = pdf.render_count()

    with django_assert_max_num_queries(0):
        response = version_pdf_response(request=rf.get("/"), version=version)

    assert hashlib.sha256(body(response)).hexdigest() == version.pdf_sha256
    assert pdf.render_count() == before


def test_matching_if_none_match_answers_304_without_body(rf):
    _, version = invoice_with_three_versions()
    version = version_pdf_ensure(version=version)
    before = pdf.render_count()

    response = version_pdf_response(
        request=rf.get("/", HTTP_IF_NONE_MATCH=f'"{version.pdf_sha256}"'),
        version=version,
    )

    assert response.status_code == 304
    assert response.content == b""
    assert (response["ETag"], response["Cache-Control"], response["X-Robots-Tag"]) == (
        f'"{version.pdf_sha256}"',
        "private, no-store",
        "noindex, nofollow",
    )
    assert pdf.render_count() == before


def test_if_none_match_of_an_unrendered_version_is_answered_after_rendering(rf):
    _, version = invoice_with_three_versions()
    expected = hashlib.sha256(pdf.version_pdf_render(version=version)).hexdigest()

    response = version_pdf_response(
        request=rf.get("/", HTTP_IF_NONE_MATCH=f'"{expected}"'), version=version
    )

    assert response.status_code == 304


def test_stale_if_none_match_gets_the_file(rf):
    _, version = invoice_with_three_versions()

    response = version_pdf_response(
        request=rf.get("/", HTTP_IF_NONE_MATCH='"0123abcd"'), version=version
    )

    assert response.status_code == 200
    assert body(response).startswith(b"%PDF-")


# --- S3, against moto's S3 server on loopback -------------------------------


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    ).create_bucket(Bucket=BUCKET)
    yield endpoint
    server.stop()


@pytest.fixture
def s3_documents(settings, s3_endpoint):
    """The documents storage as config/settings.py builds it for S3."""
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                "access_key": "testing",
                "secret_key": "testing",
                "file_overwrite": False,
                "signature_version": "s3v4",
                "location": "private",
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": 60,
            },
        },
    }
    return s3_endpoint


def test_s3_download_redirects_to_a_short_lived_presigned_url(rf, s3_documents):
    document, version = invoice_with_three_versions()

    response = version_pdf_response(request=rf.get("/"), version=version)

    version = DocumentVersion.objects.for_company(document.company).get(pk=version.pk)
    location = urllib.parse.urlsplit(response["Location"])
    query = urllib.parse.parse_qs(location.query)
    assert response.status_code == 302
    assert f"{location.scheme}://{location.netloc}" == s3_documents
    assert location.path == f"/{BUCKET}/private/{version.pdf_file.name}"
    assert query["X-Amz-Expires"] == ["60"]
    assert "X-Amz-Signature" in query
    assert (response["ETag"], response["Cache-Control"], response["X-Robots-Tag"]) == (
        f'"{version.pdf_sha256}"',
        "private, no-store",
        "noindex, nofollow",
    )
    with urllib.request.urlopen(response["Location"], timeout=10) as reply:
        served = reply.read()
        headers = reply.headers
    assert hashlib.sha256(served).hexdigest() == version.pdf_sha256
    assert headers["Content-Type"] == "application/pdf"
    assert (
        headers["Content-Disposition"] == 'attachment; filename="INV-2026-0001-v2.pdf"'
    )


def test_s3_second_download_renders_nothing(rf, s3_documents):
    _, version = invoice_with_three_versions()
    before = pdf.render_count()

    first = version_pdf_response(request=rf.get("/"), version=version)
    second = version_pdf_response(request=rf.get("/"), version=version)

    assert pdf.render_count() - before == 1
    assert first["ETag"] == second["ETag"]

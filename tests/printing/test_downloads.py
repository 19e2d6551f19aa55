"""version_pdf_response: what the portal and the back office send after their checks."""

import hashlib

import boto3
import pytest
from django.http import FileResponse
from moto.server import ThreadedMotoServer

from documents.models import DocumentVersion
from printing.downloads import version_pdf_response
from printing.store import version_pdf_ensure
from tests.factories import DocumentFactory
from tests.printing.test_pdf import invoice_with_three_versions

pytestmark = pytest.mark.django_db

BUCKET = "portal-documents-test"


def body(response: FileResponse) -> bytes:
    return b"".join(response.streaming_content)


def test_download_streams_the_stored_pdf_with_private_headers(rf):
    document, version = invoice_with_three_versions()
    version = version_pdf_ensure(version=version)

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


def test_a_version_without_its_pdf_yet_is_being_prepared_never_rendered(
    rf, pdf_renders
):
    _, version = invoice_with_three_versions()  # not rendered: no commit here

    page = version_pdf_response(
        request=rf.get("/", HTTP_ACCEPT="text/html,application/xhtml+xml"),
        version=version,
    )
    bare = version_pdf_response(request=rf.get("/"), version=version)

    assert pdf_renders.count == 0
    assert (page.status_code, page["Retry-After"], page["Refresh"]) == (503, "5", "5")
    html = page.content.decode()
    assert "Your PDF is being prepared" in html
    assert '<meta http-equiv="refresh" content="5">' in html
    assert (bare.status_code, bare["Retry-After"], bare["Content-Type"]) == (
        503,
        "5",
        "text/plain; charset=utf-8",
    )
    assert bare.content == b"The PDF is being prepared.\n"
    assert page["Cache-Control"] == bare["Cache-Control"] == "private, no-store"


def test_an_already_rendered_pdf_is_served_without_rendering(
    rf, django_capture_on_commit_callbacks, django_assert_max_num_queries, pdf_renders
):
    with django_capture_on_commit_callbacks(execute=True):
        document = DocumentFactory(finalised=True)
    version = document.versions.get()
    before = pdf_renders.count

    with django_assert_max_num_queries(0):
        response = version_pdf_response(request=rf.get("/"), version=version)

    assert hashlib.sha256(body(response)).hexdigest() == version.pdf_sha256
    assert pdf_renders.count == before


def test_matching_if_none_match_answers_304_without_body(rf, pdf_renders):
    _, version = invoice_with_three_versions()
    version = version_pdf_ensure(version=version)
    before = pdf_renders.count

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
    assert pdf_renders.count == before


def test_stale_if_none_match_gets_the_file(rf):
    _, version = invoice_with_three_versions()
    version = version_pdf_ensure(version=version)

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
            },
        },
    }
    return s3_endpoint


def test_s3_download_streams_the_checked_bytes_through_the_app(rf, s3_documents):
    """No presigned URL: the bytes pass through the SHA-256 check like any."""
    document, version = invoice_with_three_versions()
    version = version_pdf_ensure(version=version)

    response = version_pdf_response(request=rf.get("/"), version=version)

    data = body(response)
    assert response.status_code == 200
    assert hashlib.sha256(data).hexdigest() == version.pdf_sha256
    assert (response["Content-Disposition"], response["ETag"]) == (
        'attachment; filename="INV-2026-0001-v2.pdf"',
        f'"{version.pdf_sha256}"',
    )
    key = f"private/{version.pdf_file.name}"
    s3 = boto3.client(
        "s3",
        endpoint_url=s3_documents,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    s3.put_object(Bucket=BUCKET, Key=key, Body=data + b"%appended")

    tampered = version_pdf_response(request=rf.get("/"), version=version)

    assert tampered.status_code == 503
    assert b"%PDF" not in tampered.content

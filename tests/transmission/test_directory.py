"""The buyer's directory line, looked up by SIREN before its invoice goes and
kept on the client: enabled goes, upcoming waits, disabled and unknown stop
with a message, a public buyer's requirements are checked."""

import pytest

from tests.backoffice import sign_in
from tests.factories import NOW, ClientFactory, CompanyFactory, DocumentFactory
from transmission import services
from transmission.models import DirectoryEntry, Flow

pytestmark = pytest.mark.django_db


@pytest.fixture
def company(standin):
    company = CompanyFactory()
    services.platform_connection_from_environment(company=company, now=NOW)
    return company


def _issue(company, django_capture_on_commit_callbacks, **kwargs):
    client = ClientFactory(company=company)
    with django_capture_on_commit_callbacks(execute=True):
        invoice = DocumentFactory(client=client, finalised=True, **kwargs)
    flow = Flow.objects.for_company(company).get(document=invoice)
    entry = DirectoryEntry.objects.for_company(company).get(client=client)
    return flow, entry


def test_an_enabled_buyer_is_kept_on_the_client_and_sent(
    standin, company, django_capture_on_commit_callbacks, client
):
    flow, entry = _issue(company, django_capture_on_commit_callbacks)
    sign_in(client, company)
    page = client.get(f"/admin/documents/invoice/{flow.document_id}/change/")
    assert 'id="directory-entry" data-directory="enabled"' in page.content.decode()

    assert (entry.status, entry.addressing_identifier, entry.platform_type) == (
        "enabled",
        entry.client.siren,
        "WK",
    )
    assert entry.checked_at is not None
    assert (flow.state, flow.processing_rule) == ("submitted", "B2B")
    (search,) = standin.posts("/v1/directory-line/search")
    assert search.headers["Authorization"].startswith("Bearer ")


@pytest.mark.parametrize(
    ("lines", "state", "status", "message"),
    [
        ("disabled", "failed", "disabled", "has no e-invoicing platform"),
        ("none", "failed", "not_found", "has no e-invoicing platform"),
        ("upcoming", "queued", "upcoming", "not active yet"),
        ("other address", "failed", "enabled", "the invoice says"),
        ("service code", "failed", "enabled", "its service code (BT-10)"),
        ("commitment", "failed", "enabled", "commitment number (BT-13)"),
    ],
)
def test_a_buyer_that_cannot_receive_stops_the_invoice(
    standin, company, django_capture_on_commit_callbacks, lines, state, status, message
):
    siren = ClientFactory.build().siren  # the next client's SIREN
    standin.directory[siren] = {
        "disabled": [standin.directory_line(siren, "Disabled")],
        "none": [],
        "upcoming": [standin.directory_line(siren, "Upcoming")],
        "other address": [
            {**standin.directory_line(siren), "addressingIdentifier": f"{siren}_AP"}
        ],
        "service code": [
            standin.directory_line(siren, public=True, serviceCodeStatus=True)
        ],
        "commitment": [
            standin.directory_line(siren, public=True, managesLegalCommitmentCode=True)
        ],
    }[lines]
    client = ClientFactory(company=company, siren=siren)
    with django_capture_on_commit_callbacks(execute=True):
        invoice = DocumentFactory(client=client, finalised=True)

    flow = Flow.objects.for_company(company).get(document=invoice)
    entry = DirectoryEntry.objects.for_company(company).get(client=client)
    assert (flow.state, entry.status, flow.flow_id) == (state, status, "")
    assert message in flow.last_error
    assert standin.posts("/v1/flows") == []


def test_a_public_buyer_with_its_commitment_number_goes_as_b2g(
    standin, company, django_capture_on_commit_callbacks
):
    siren = ClientFactory.build().siren
    standin.directory[siren] = [
        standin.directory_line(siren, public=True, managesLegalCommitmentCode=True)
    ]
    client = ClientFactory(company=company, siren=siren)
    with django_capture_on_commit_callbacks(execute=True):
        invoice = DocumentFactory(
            client=client, finalised=True, purchase_order="EJ-2026-000123"
        )

    flow = Flow.objects.for_company(company).get(document=invoice)
    assert (flow.state, flow.processing_rule) == ("submitted", "B2G")
    (sent,) = [f for f in standin.flows.values() if f["flowDirection"] == "Out"]
    assert sent["processingRule"] == "B2G"


def test_a_public_buyer_with_its_service_code_goes_with_bt10(
    standin, company, django_capture_on_commit_callbacks
):
    """The service code entered on the client travels as BuyerReference (BT-10);
    the official validators pass (the worker checks them before sending)."""
    from facturx import get_facturx_xml_from_pdf
    from lxml import etree

    from einvoicing import validation

    siren = ClientFactory.build().siren
    standin.directory[siren] = [
        standin.directory_line(siren, public=True, serviceCodeStatus=True)
    ]
    client = ClientFactory(
        company=company, siren=siren, is_public_buyer=True, service_code="SERV-042"
    )
    with django_capture_on_commit_callbacks(execute=True):
        invoice = DocumentFactory(client=client, finalised=True)

    flow = Flow.objects.for_company(company).get(document=invoice)
    assert (flow.state, flow.processing_rule, flow.last_error) == (
        "submitted",
        "B2G",
        "",
    )
    (deposit,) = standin.posts("/v1/flows")
    pdf = deposit.body[deposit.body.index(b"%PDF") :]
    _name, xml = get_facturx_xml_from_pdf(pdf, check_xsd=False)
    root = etree.fromstring(xml)
    ram = (
        "urn:un:unece:uncefact:data:standard:"
        "ReusableAggregateBusinessInformationEntity:100"
    )
    assert root.findtext(f".//{{{ram}}}BuyerReference") == "SERV-042"
    assert validation.fatal(validation.validate(xml)) == []

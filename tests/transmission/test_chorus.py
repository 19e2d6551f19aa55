"""Public buyers no approved platform reaches go to Chorus Pro (PISTE): the
worker deposits the Factur-X PDF through the real `requests` client to the
stand-in over HTTP, and polling brings Chorus Pro's statuses back as the
same lifecycle statuses."""

import base64
import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import translation

from tests.factories import (
    NOW,
    ClientFactory,
    CompanyFactory,
    DocumentFactory,
    MembershipFactory,
)
from tests.transmission import chorus_standin
from transmission import chorus_worker, services, tasks, worker
from transmission.models import ChorusConnection, Flow, LifecycleStatus

pytestmark = pytest.mark.django_db

LATER = NOW + dt.timedelta(minutes=5)


@pytest.fixture
def company(chorus):
    company = CompanyFactory(default_locale="fr")
    MembershipFactory(company=company, user__email="owner@example.com")
    services.chorus_connection_from_environment(company=company, now=NOW)
    return company


def _public_buyer(company, **kwargs):
    return ClientFactory(
        company=company, is_public_buyer=True, service_code="SERV-01", **kwargs
    )


def _codes(document):
    return list(
        LifecycleStatus.objects.for_company(document.company)
        .filter(document=document)
        .order_by("at", "pk")
        .values_list("code", flat=True)
    )


def _poll(company, times=1):
    connection = ChorusConnection.objects.for_company(company).get()
    return [
        chorus_worker.chorus_poll(connection=connection, now=LATER)
        for _ in range(times)
    ]


def test_the_connection_is_encrypted_at_rest(company):
    connection = ChorusConnection.objects.for_company(company).get()
    assert chorus_standin.PASSWORD not in connection.password_encrypted
    assert chorus_standin.CLIENT_SECRET not in connection.client_secret_encrypted
    credentials = services.chorus_client_of(connection).credentials
    assert (credentials.password, credentials.client_secret) == (
        chorus_standin.PASSWORD,
        chorus_standin.CLIENT_SECRET,
    )


def test_a_public_buyers_invoice_is_deposited_and_its_statuses_come_back(
    chorus, company, django_capture_on_commit_callbacks, client
):
    with django_capture_on_commit_callbacks(execute=True):
        invoice = DocumentFactory(client=_public_buyer(company), finalised=True)

    flow = Flow.objects.for_company(company).get(document=invoice)
    (deposit,) = chorus.posts("/cpro/factures/v1/deposer/flux")
    (number,) = chorus.deposits
    assert (flow.channel, flow.state, flow.flow_id, flow.processing_rule) == (
        "chorus",
        "submitted",
        number,
        "B2G",
    )
    body = deposit.json()
    assert (body["syntaxeFlux"], body["avecSignature"], body["nomFichier"]) == (
        "IN_DP_E2_CII_FACTURX",
        False,
        f"{invoice.number}.pdf",
    )
    assert chorus.deposits[number]["number"] == invoice.number
    assert base64.b64decode(body["fichierFlux"]).startswith(b"%PDF")
    assert (
        deposit.headers["cpro-account"]
        == base64.b64encode(
            f"{chorus_standin.LOGIN}:{chorus_standin.PASSWORD}".encode()
        ).decode()
    )
    (token,) = chorus.posts("/api/oauth/token")
    assert b"scope=openid" in token.body

    # Poll 1: the deposit is being integrated; 2: integrated, first status;
    # then one more status per poll; a poll with nothing new records nothing.
    assert _poll(company, 7) == [0, 1, 1, 1, 1, 0, 0]
    flow.refresh_from_db()
    assert (flow.ack_status, flow.chorus_invoice_id) == (
        "ok",
        str(chorus.deposits[number]["invoice_id"]),
    )
    # MANDATEE then MISE_EN_PAIEMENT: one 211 Paiement transmis.
    assert _codes(invoice) == ["200", "203", "205", "211"]
    from tests.backoffice import sign_in

    sign_in(client, company)
    page = client.get(f"/admin/documents/invoice/{invoice.pk}/change/")
    html = page.content.decode()
    assert 'data-ack="ok" data-channel="chorus">Chorus Pro: ' in html
    # Finished (211): Chorus Pro is not asked about it any more.
    reads = len(chorus.posts("/consulter/historique"))
    _poll(company)
    assert len(chorus.posts("/consulter/historique")) == reads


def test_every_page_of_the_history_is_read(
    chorus, company, django_capture_on_commit_callbacks
):
    chorus.history_page_size = 2
    with django_capture_on_commit_callbacks(execute=True):
        invoice = DocumentFactory(client=_public_buyer(company), finalised=True)
    (number,) = chorus.deposits
    _poll(company)  # the deposit report: IN_RECU
    # Chorus Pro moved on meanwhile: the next read shows all five statuses,
    # two a page.
    chorus.deposits[number]["history_reads"] = 4

    assert _poll(company) == [4]

    reads = chorus.posts("/consulter/historique")
    asked = [r.json()["paramRechercheHistoStatuts"] for r in reads]
    assert [a["pageResultatDemandeeListeHistoStatut"] for a in asked] == [1, 2, 3]
    assert _codes(invoice) == ["200", "203", "205", "211"]


def test_a_rejection_records_213_with_its_reason_and_tells_the_owner(
    chorus, company, django_capture_on_commit_callbacks
):
    chorus.default_scenario = "rejected"
    with django_capture_on_commit_callbacks(execute=True):
        invoice = DocumentFactory(client=_public_buyer(company), finalised=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _poll(company, 4)

    assert _codes(invoice) == ["200", "213"]
    rejected = LifecycleStatus.objects.for_company(company).get(
        document=invoice, code="213"
    )
    assert (rejected.reason_code, rejected.reason) == (
        "REJETEE",
        "Code service inconnu",
    )
    assert [m.to for m in mail.outbox] == [["owner@example.com"]]


def test_a_deposit_chorus_pro_refuses_is_501_inadmissible(
    chorus, company, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invoice = DocumentFactory(client=_public_buyer(company), finalised=True)
    (number,) = chorus.deposits
    chorus.deposits[number]["errors"] = ["Destinataire inconnu"]

    _poll(company, 3)

    flow = Flow.objects.for_company(company).get(document=invoice)
    assert (flow.ack_status, flow.ack_reason) == ("error", "Destinataire inconnu")
    assert _codes(invoice) == ["501"]
    assert chorus.posts("/rechercher/fournisseur") == []


def test_an_expired_token_is_renewed_once(
    chorus, company, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        DocumentFactory(client=_public_buyer(company), finalised=True)
    chorus.expire_tokens()
    _poll(company, 2)
    assert len(chorus.posts("/api/oauth/token")) == 2
    calls = [r.path.rsplit("/", 1)[-1] for r in chorus.requests]
    # The deposit, then the report answered 401, a new token, the same again.
    assert calls == [
        "token",
        "flux",
        "consulterCRDetaille",
        "token",
        "consulterCRDetaille",
        "consulterCRDetaille",
        "fournisseur",
        "historique",
    ]


def test_a_wrong_technical_account_fails_the_flow_readably(
    chorus, company, django_capture_on_commit_callbacks
):
    connection = ChorusConnection.objects.for_company(company).get()
    services.chorus_connection_save(
        company=company,
        api_url=connection.api_url,
        token_url=connection.token_url,
        client_id=connection.client_id,
        client_secret="",
        login="someone-else",
        password="",
        enabled=True,
        actor=None,
        now=NOW,
    )
    with django_capture_on_commit_callbacks(execute=True):
        invoice = DocumentFactory(client=_public_buyer(company), finalised=True)
    flow = Flow.objects.for_company(company).get(document=invoice)
    assert (flow.state, flow.flow_id) == ("failed", "")
    assert "HTTP 403" in flow.last_error
    assert chorus.deposits == {}


def test_our_own_error_is_stored_in_the_companys_language(
    chorus, company, django_capture_on_commit_callbacks
):
    """The worker runs in English; the owner of a French company reads the
    reason in French (the platform's own words stay as given)."""
    chorus.deposit_numbered = False
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        invoice = DocumentFactory(client=_public_buyer(company), finalised=True)
    flow = Flow.objects.for_company(company).get(document=invoice)
    assert flow.state == "failed"
    assert flow.last_error.startswith("Chorus Pro n’a pas donné de numéro de dépôt")


def test_a_private_business_does_not_go_to_chorus_pro(
    chorus, company, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invoice = DocumentFactory(client=ClientFactory(company=company), finalised=True)
    assert not Flow.objects.for_company(company).filter(document=invoice).exists()
    assert chorus.requests == []


def test_a_public_buyer_without_a_platform_route_goes_to_chorus_pro(
    standin, chorus, company, django_capture_on_commit_callbacks
):
    """With an approved platform too: the directory shows the public buyer
    has no platform (disabled line), so the worker sends it to Chorus Pro."""
    services.platform_connection_from_environment(company=company, now=NOW)
    siren = ClientFactory.build().siren
    standin.directory[siren] = [standin.directory_line(siren, "Disabled", public=True)]
    with django_capture_on_commit_callbacks(execute=True):
        invoice = DocumentFactory(
            client=ClientFactory(company=company, siren=siren), finalised=True
        )

    flow = Flow.objects.for_company(company).get(document=invoice)
    assert (flow.channel, flow.state, flow.processing_rule) == (
        "chorus",
        "submitted",
        "B2G",
    )
    assert standin.posts("/v1/flows") == []
    assert len(chorus.posts("/deposer/flux")) == 1
    # The AFNOR acknowledgement lookup skips Chorus Pro flows; the Chorus Pro
    # poll after submission finds its connection.
    assert worker.connection_pk_of_flow(flow.pk) is None
    chorus_pk = ChorusConnection.objects.for_company(company).get().pk
    assert worker.chorus_connection_pk_of_flow(flow.pk) == chorus_pk
    assert tasks.chorus_poll.call(chorus_pk) == 0  # the deposit: IN_RECU
    assert len(chorus.posts("/consulterCRDetaille")) == 1


def test_a_public_buyer_with_a_platform_route_stays_on_the_platform(
    standin, chorus, company, django_capture_on_commit_callbacks
):
    services.platform_connection_from_environment(company=company, now=NOW)
    siren = ClientFactory.build().siren
    standin.directory[siren] = [standin.directory_line(siren, public=True)]
    with django_capture_on_commit_callbacks(execute=True):
        invoice = DocumentFactory(
            client=_public_buyer(company, siren=siren), finalised=True
        )
    flow = Flow.objects.for_company(company).get(document=invoice)
    assert (flow.channel, flow.state, flow.processing_rule) == (
        "platform",
        "submitted",
        "B2G",
    )
    assert chorus.requests == []


def test_the_scheduled_poll_asks_chorus_pro(
    chorus, company, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invoice = DocumentFactory(client=_public_buyer(company), finalised=True)
    for _ in range(3):
        call_command("einvoicing_poll", verbosity=0)
    assert _codes(invoice) == ["200", "203"]


CHORUS_URL = "/admin/transmission/chorusconnection/"
CHORUS_FORM = {
    "api_url": "https://sandbox-api.piste.gouv.fr",
    "token_url": "https://sandbox-oauth.piste.gouv.fr/api/oauth/token",
    "client_id": "piste-app",
    "client_secret": chorus_standin.CLIENT_SECRET,
    "login": chorus_standin.LOGIN,
    "password": chorus_standin.PASSWORD,
    "enabled": "on",
}


def test_an_owner_connects_chorus_pro_in_the_back_office(client):
    from tests.backoffice import sign_in

    company = CompanyFactory()
    sign_in(client, company)
    assert client.get(CHORUS_URL).url == CHORUS_URL + "add/"
    missing = client.post(CHORUS_URL + "add/", {**CHORUS_FORM, "password": ""})
    assert missing.status_code == 200
    assert "Enter the password." in missing.content.decode()
    assert not ChorusConnection.objects.for_company(company).exists()

    assert client.post(CHORUS_URL + "add/", CHORUS_FORM).status_code == 302
    connection = ChorusConnection.objects.for_company(company).get()
    assert connection.login == chorus_standin.LOGIN
    assert chorus_standin.PASSWORD not in connection.password_encrypted
    page = client.get(CHORUS_URL + f"{connection.pk}/change/").content.decode()
    assert chorus_standin.PASSWORD not in page
    assert chorus_standin.CLIENT_SECRET not in page
    # One connection a company, as the platform's: the list is the connection.
    assert client.get(CHORUS_URL).url == CHORUS_URL + f"{connection.pk}/change/"
    assert client.get(CHORUS_URL + "add/").status_code == 403


def test_the_owner_enters_a_public_buyers_service_code_on_the_client(client):
    from tests.backoffice import sign_in
    from tests.backoffice.test_clients import CLIENT_POST

    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company)
    page = f"/admin/clients/client/{customer.pk}/change/"

    bad = client.post(
        page, {**CLIENT_POST, "is_public_buyer": "on", "service_code": "A\nB"}
    )
    assert bad.status_code == 200
    customer.refresh_from_db()
    assert (customer.is_public_buyer, customer.service_code) == (False, "")

    good = client.post(
        page, {**CLIENT_POST, "is_public_buyer": "on", "service_code": "SERV-7"}
    )
    assert good.status_code == 302
    customer.refresh_from_db()
    assert (customer.is_public_buyer, customer.service_code) == (True, "SERV-7")

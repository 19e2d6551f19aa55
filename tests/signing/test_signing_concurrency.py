"""A quote is answered once even when two submissions arrive together, in real
concurrent transactions (PostgreSQL: row locks)."""

import time

import pytest
from django.db import connection

from documents import events
from documents.models import Document, DocumentEvent, QuoteDecline, QuoteSignature
from signing import services as signing_services
from tests.printing.test_pdf_concurrency import race
from tests.signing.signing_helpers import (
    decline_arguments,
    sign_arguments,
    signable_quote,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL")


@pytest.fixture(autouse=True)
def _no_background_work(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}
    }


@pytest.fixture
def slow_history(monkeypatch):
    """Each answer pauses inside its transaction, holding the quote's lock: the
    other submission surely arrives while the first is still being written."""
    for name in ("quote_signed", "quote_declined"):
        real = getattr(events, name)

        def written_slowly(*args, _real=real, **kwargs):
            result = _real(*args, **kwargs)
            time.sleep(0.3)
            return result

        monkeypatch.setattr(events, name, written_slowly)


def _outcome(quote: Document, results: list, errors: list) -> dict:
    company = quote.company
    return {
        "results": [type(result).__name__ for result in results],
        "errors": [(type(error).__name__, str(error)) for error in errors],
        "status": Document.objects.for_company(company).get(pk=quote.pk).status,
        "signatures": QuoteSignature.objects.for_company(company).count(),
        "declines": QuoteDecline.objects.for_company(company).count(),
        "answer events": DocumentEvent.objects.for_company(company)
        .filter(document=quote, kind__in=["signed", "declined", "accepted"])
        .count(),
    }


def test_two_signatures_at_once_record_one_and_refuse_the_other(slow_history):
    quote = signable_quote()
    first = sign_arguments(quote, signer_name="Ada Lovelace")
    second = sign_arguments(quote, signer_name="Grace Hopper")
    arguments = iter([first, second])

    results, errors = race(lambda: signing_services.quote_sign(**next(arguments)))

    assert _outcome(quote, results, errors) == {
        "results": ["QuoteSignature"],
        "errors": [("QuoteNotAnswerable", "This quote has already been accepted.")],
        "status": "accepted",
        "signatures": 1,
        "declines": 0,
        "answer events": 1,
    }


def test_a_signature_and_a_decline_at_once_record_only_one(slow_history):
    quote = signable_quote()
    calls = iter(
        [
            lambda: signing_services.quote_sign(**sign_arguments(quote)),
            lambda: signing_services.quote_decline_online(**decline_arguments(quote)),
        ]
    )

    results, errors = race(lambda: next(calls)())

    outcome = _outcome(quote, results, errors)
    assert len(results) == 1 and len(errors) == 1, outcome
    assert outcome["errors"][0] in {
        ("QuoteNotAnswerable", "This quote has already been accepted."),
        ("QuoteNotAnswerable", "This quote has already been declined."),
    }
    assert outcome["signatures"] + outcome["declines"] == 1
    assert outcome["answer events"] == 1
    assert outcome["status"] == (
        "accepted" if outcome["results"] == ["QuoteSignature"] else "declined"
    )

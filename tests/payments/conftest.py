import pytest

from tests.payments.fake_stripe import WEBHOOK_SECRET, running


@pytest.fixture
def stripe_fake(settings):
    """The stand-in Stripe on loopback, with the platform's settings pointing at it."""
    yield from running(settings)


__all__ = ["WEBHOOK_SECRET"]

"""Helpers shared by the back-office tests."""

from django.contrib.messages import get_messages

from tests.factories import MembershipFactory


def sign_in(client, company, role="owner"):
    """Sign a new member of `company` with `role` in to the back office."""
    membership = MembershipFactory(company=company, role=role)
    client.force_login(membership.user)
    return membership.user


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]

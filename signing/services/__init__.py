"""Quote answers: signed, accepted or declined by the client in its portal
(`online`), or recorded by a member (`recorded`). Callers import from here."""

from signing.services.online import (
    SIGN_ONE_WAY,
    InvalidAnswer,
    QuoteNotAnswerable,
    QuotePdfNotReady,
    QuoteVersionChanged,
    RequestOrigin,
    consent_text,
    quote_accept_online,
    quote_answer_refusal,
    quote_decline_online,
    quote_sign,
)
from signing.services.recorded import quote_accept, quote_decline

__all__ = [
    "SIGN_ONE_WAY",
    "InvalidAnswer",
    "QuoteNotAnswerable",
    "QuotePdfNotReady",
    "QuoteVersionChanged",
    "RequestOrigin",
    "consent_text",
    "quote_accept",
    "quote_accept_online",
    "quote_answer_refusal",
    "quote_decline",
    "quote_decline_online",
    "quote_sign",
]

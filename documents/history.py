"""A document's history in words, for the back office: "Sent to
compta@cafedesarts.example by Camille Durand", never the event's raw details.

Written at display time, in the reader's language, from what each event
writer in `documents.events` records.
"""

import datetime as dt

from django.utils import translation
from django.utils.translation import gettext as _

from companies.money import format_day, format_money
from documents.models import DocumentEvent

Kind = DocumentEvent.Kind


def _locale() -> str:
    return translation.to_locale(translation.get_language() or "en")


def _money(event: DocumentEvent, key: str = "amount") -> str:
    amount = event.details.get(key)
    currency = str(event.details.get("currency") or event.document.currency)
    return format_money(amount, currency, _locale()) if amount else ""


def _addresses(event: DocumentEvent) -> str:
    return ", ".join(str(address) for address in event.details.get("to") or [])


def _method(event: DocumentEvent) -> str:
    method = event.details.get("method")
    return {
        "card": _("by card"),
        "transfer": _("by bank transfer"),
        "manual": _("recorded by hand"),
        "drawn": _("drawn signature"),
        "typed": _("typed name"),
        "click": _("accepted online"),
    }.get(str(method), str(method or ""))


def _what(event: DocumentEvent) -> str:
    """What happened, without who did it."""
    kind, details = event.kind, event.details
    values = {
        "to": _addresses(event),
        "number": details.get("number") or event.document.number or "",
        "version": details.get("version") or "",
        "amount": _money(event),
        "method": _method(event),
    }
    if kind == Kind.CREATED:
        return _("Created as a draft")
    if kind == Kind.FINALISED:
        return _("Finalised as %(number)s") % values
    if kind == Kind.NEW_VERSION:
        return _("Version %(version)s saved") % values
    if kind == Kind.SENT:
        return _("Sent to %(to)s") % values if values["to"] else _("Sent")
    if kind == Kind.REMINDER_SENT:
        return _("Reminder sent to %(to)s") % values
    if kind == Kind.SEND_FAILED:
        return _("Could not be sent to %(to)s: %(error)s") % {
            **values,
            "error": details.get("error", ""),
        }
    if kind == Kind.VIEWED:
        return _("Opened in the portal (version %(version)s)") % values
    if kind == Kind.HIDDEN:
        return _("Hidden from the client's portal")
    if kind == Kind.SHOWN:
        return _("Shown in the client's portal")
    if kind == Kind.ACCEPTED:
        return _("Accepted")
    if kind == Kind.SIGNED:
        return _("Version %(version)s signed (%(method)s)") % values
    if kind == Kind.DECLINED:
        reason = details.get("reason")
        return (
            _("Declined: “%(reason)s”") % {"reason": reason}
            if reason
            else (_("Declined"))
        )
    if kind == Kind.PAYMENT_RECEIVED:
        text = _("Payment of %(amount)s received, %(method)s") % values
        if details.get("overpaid"):
            text += " " + _("(%(overpaid)s more than was due)") % {
                "overpaid": _money(event, "overpaid")
            }
        return text
    if kind == Kind.PAID:
        return _("Paid in full")
    if kind == Kind.PAYMENT_PROCESSING:
        return _("Payment of %(amount)s processing, %(method)s") % values
    if kind == Kind.PAYMENT_FAILED:
        return _("Payment of %(amount)s failed, %(method)s") % values
    if kind == Kind.REFUNDED:
        return _("%(amount)s refunded, %(method)s") % values
    if kind == Kind.TRANSFER_DECLARED:
        paid_on = details.get("paid_on")
        if paid_on:
            day = format_day(dt.date.fromisoformat(str(paid_on)), _locale())
            return _("Bank transfer of %(day)s declared") % {"day": day}
        return _("Bank transfer declared")
    if kind == Kind.CANCELED:
        return _("Canceled")
    if kind == Kind.INVOICED:
        return _("Converted into an invoice")
    if kind == Kind.FROM_QUOTE:
        return _("Created from quote %(quote)s") % {"quote": details.get("quote", "")}
    if kind == Kind.CREDITED:
        text = _("Credit note %(credit_note)s issued for %(amount)s") % {
            "credit_note": details.get("credit_note", ""),
            "amount": values["amount"],
        }
        if details.get("owed_back"):
            text += "; " + _("%(amount)s owed back to the client") % {
                "amount": _money(event, "owed_back")
            }
        return text
    return str(dict(Kind.choices).get(kind, kind))


def event_sentence(event: DocumentEvent) -> str:
    """The event as one sentence: what happened, then by whom when someone
    is named (a member, the client's signer, the client in the portal)."""
    what = _what(event)
    who = event.actor_name
    if not who:
        return what
    return _("%(what)s by %(who)s") % {"what": what, "who": who}

"""Every change to a company's own settings, and the update step others share."""

import datetime as dt
from collections.abc import Iterable

from django.db import models, transaction

from companies import audit
from companies.models import Actor, Company, Locale, User

# What members may change; the add-on flag belongs to billing.
COMPANY_EDITABLE_FIELDS = (
    "name",
    "legal_name",
    "address",
    "vat_number",
    "registration_number",
    "legal_form",
    "rcs_city",
    "share_capital",
    "electronic_address",
    "country",
    "vat_on_debits",
    "late_payment_rate",
    "early_payment_discount",
    "email",
    "iban",
    "bic",
    "default_currency",
    "default_locale",
    "reminder_days",
    "quote_reminder_days",
    "payment_terms_days",
    "payment_terms_end_of_month",
)


def fields_update(
    instance: models.Model, *, allowed: Iterable[str], fields: dict[str, object]
) -> list[str]:
    """Set `fields` on `instance` and save those that changed; returns their names.

    :raises ValueError: a field outside `allowed` (a programming error: forms
        offer only allowed fields).
    """
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValueError(
            f"Not an editable {instance._meta.model_name} field: {sorted(unknown)}"
        )
    changed = [
        name for name, value in fields.items() if getattr(instance, name) != value
    ]
    for name in changed:
        setattr(instance, name, fields[name])
    if changed:
        instance.save(update_fields=[*changed, "updated_at"])
    return changed


@transaction.atomic
def company_update(
    *, company: Company, actor: Actor, now: dt.datetime, **fields: object
) -> Company:
    """Change a company's legal details, bank details, currency or language.

    :raises ValueError: a field members may not change, such as the add-on flag.
    """
    # The stored row, not the caller's copy, which a form may have changed.
    company = Company.objects.select_for_update().get(pk=company.pk)
    changed = fields_update(company, allowed=COMPANY_EDITABLE_FIELDS, fields=fields)
    if changed:
        audit.company_settings_changed(
            company=company, actor=actor, at=now, fields=changed
        )
    return company


@transaction.atomic
def user_preferences_update(
    *, user: User, notify_client_activity: bool, language: str | None = None
) -> User:
    """Change a member's own preferences: e-mails about client activity and,
    when given, the back office's language ("" for the browser's)."""
    # unscoped: a user is not company-owned; the member changes their own row
    user = User.objects.select_for_update().get(pk=user.pk)
    changed = []
    if user.notify_client_activity != notify_client_activity:
        user.notify_client_activity = notify_client_activity
        changed.append("notify_client_activity")
    if language is not None and user.language != language:
        if language and language not in Locale.values:
            raise ValueError(f"Unknown language {language!r}")
        user.language = language
        changed.append("language")
    if changed:
        user.save(update_fields=changed)
    return user

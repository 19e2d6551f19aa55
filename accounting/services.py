"""Changes to a company's accounting settings."""

import datetime as dt

from django.db import transaction

from accounting.models import DEFAULT_ACCOUNTS, AccountingSettings
from companies.models import Actor, Company


@transaction.atomic
def accounting_settings_save(
    *, company: Company, actor: Actor, now: dt.datetime, **accounts: str
) -> AccountingSettings:
    """Set the accounts of the company's export (the others keep theirs).

    :raises ValueError: an unknown account name.
    """
    unknown = set(accounts) - set(DEFAULT_ACCOUNTS)
    if unknown:
        raise ValueError(f"unknown accounts: {sorted(unknown)}")
    settings = (
        AccountingSettings.objects.for_company(company).select_for_update().first()
    )
    if settings is None:
        settings = AccountingSettings(company=company)
    for name, value in accounts.items():
        setattr(settings, name, value)
    settings.full_clean()
    settings.save()
    return settings

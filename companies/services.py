"""Every change to a company's own settings."""

from django.db import transaction

from companies.models import Company

# What members may change; the add-on flag belongs to billing.
COMPANY_EDITABLE_FIELDS = (
    "name",
    "legal_name",
    "address",
    "vat_number",
    "registration_number",
    "email",
    "iban",
    "bic",
    "default_currency",
    "default_locale",
)


@transaction.atomic
def company_update(*, company: Company, **fields: object) -> Company:
    """Change a company's legal details, bank details, currency or language.

    :raises ValueError: a field members may not change, such as the add-on flag.
    """
    unknown = set(fields) - set(COMPANY_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not a company setting: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(company, name, value)
    company.save(update_fields=[*fields, "updated_at"])
    return company

"""The accounts a company's export writes to (its chart of accounts' names)."""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from companies.models import CompanyOwned, Timestamped

# An account number as accounting packages import it: digits and capitals.
ACCOUNT = RegexValidator(
    r"^[0-9A-Z]{1,12}$", _("Digits and capital letters only, at most 12.")
)
JOURNAL = RegexValidator(
    r"^[0-9A-Z]{1,6}$", _("Digits and capital letters only, at most 6.")
)

# The French chart of accounts (PCG): clients, sales of services, VAT
# collected, bank; the sales and bank journals.
DEFAULT_ACCOUNTS = {
    "customer_account": "411",
    "sales_account": "706",
    "vat_account": "44571",
    "bank_account": "512",
    "sales_journal": "VE",
    "bank_journal": "BQ",
}


class AccountingSettings(CompanyOwned, Timestamped):
    """The accounts of one company's accountant's export; a company without
    a row uses the French defaults (`DEFAULT_ACCOUNTS`)."""

    customer_account = models.CharField(
        _("clients account"),
        max_length=12,
        default=DEFAULT_ACCOUNTS["customer_account"],
        validators=[ACCOUNT],
        help_text=_(
            "Each client gets its own sub-account: this number followed by the "
            "client's number (411 → 41100042)."
        ),
    )
    sales_account = models.CharField(
        _("sales account"),
        max_length=12,
        default=DEFAULT_ACCOUNTS["sales_account"],
        validators=[ACCOUNT],
    )
    vat_account = models.CharField(
        _("VAT collected account"),
        max_length=12,
        default=DEFAULT_ACCOUNTS["vat_account"],
        validators=[ACCOUNT],
        help_text=_(
            "One sub-account per rate: this number followed by the rate in "
            "tenths (44571 → 44571200 for 20 %, 44571055 for 5.5 %)."
        ),
    )
    bank_account = models.CharField(
        _("bank account"),
        max_length=12,
        default=DEFAULT_ACCOUNTS["bank_account"],
        validators=[ACCOUNT],
    )
    sales_journal = models.CharField(
        _("sales journal"),
        max_length=6,
        default=DEFAULT_ACCOUNTS["sales_journal"],
        validators=[JOURNAL],
    )
    bank_journal = models.CharField(
        _("bank journal"),
        max_length=6,
        default=DEFAULT_ACCOUNTS["bank_journal"],
        validators=[JOURNAL],
    )

    class Meta:
        # The back office's home lists it by what the page does: the export,
        # with the accounts it writes to.
        verbose_name = _("accounts of the export")
        verbose_name_plural = _("accountant's export")
        constraints = [
            models.UniqueConstraint(
                fields=["company"], name="accounting_settings_one_per_company"
            ),
            models.CheckConstraint(
                condition=Q(customer_account__regex=r"^[0-9A-Z]{1,12}$")
                & Q(sales_account__regex=r"^[0-9A-Z]{1,12}$")
                & Q(vat_account__regex=r"^[0-9A-Z]{1,12}$")
                & Q(bank_account__regex=r"^[0-9A-Z]{1,12}$")
                & Q(sales_journal__regex=r"^[0-9A-Z]{1,6}$")
                & Q(bank_journal__regex=r"^[0-9A-Z]{1,6}$"),
                name="accounting_settings_accounts_plain",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Accounts for the accountant's export"))

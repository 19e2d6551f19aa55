"""The accounts a company's export writes to."""

from dataclasses import dataclass
from decimal import Decimal

from accounting.models import DEFAULT_ACCOUNTS, AccountingSettings
from companies.models import Company


@dataclass(frozen=True)
class Accounts:
    customer: str
    sales: str
    vat: str
    bank: str
    sales_journal: str
    bank_journal: str

    def client(self, client_id: int) -> str:
        """The client's own account: the clients account and its number."""
        return f"{self.customer}{client_id:05d}"

    def vat_for(self, rate: Decimal) -> str:
        """VAT collected at `rate`: the VAT account and the rate in tenths
        (20 → 200, 5.5 → 055, 2.1 → 021)."""
        return f"{self.vat}{int(rate * 10):03d}"


def accounts_for(*, company: Company) -> Accounts:
    """The company's accounts, or the French defaults where it set none."""
    saved = AccountingSettings.objects.for_company(company).first()
    values = {
        name: getattr(saved, name) if saved is not None else default
        for name, default in DEFAULT_ACCOUNTS.items()
    }
    return Accounts(
        customer=values["customer_account"],
        sales=values["sales_account"],
        vat=values["vat_account"],
        bank=values["bank_account"],
        sales_journal=values["sales_journal"],
        bank_journal=values["bank_journal"],
    )

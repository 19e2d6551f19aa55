"""Back-office pages for payments: what came in, what went back, what to review,
and the company's Stripe connection.

Owners and admins record payments and refunds by hand, record declared
transfers in one click and connect Stripe; reporting members read everything
and change nothing; managers get 403 everywhere (RoleRights). Every change goes
through payments.services.

One module per concern; importing them registers their pages on the back office.
"""

from payments.admin.payment import (
    OverpaidFilter,
    OverpaymentAdmin,
    PaymentAdmin,
    RefundAdmin,
    RefundInline,
)
from payments.admin.review import (
    DISCREPANCY_REASONS,
    DeclarationStateFilter,
    DiscrepancyAdmin,
    TransferDeclarationAdmin,
)
from payments.admin.stripe_connection import StripeAccountAdmin
from payments.admin.transfer_batches import BatchStateFilter, TransferBatchAdmin

__all__ = [
    "BatchStateFilter",
    "TransferBatchAdmin",
    "DISCREPANCY_REASONS",
    "DeclarationStateFilter",
    "DiscrepancyAdmin",
    "OverpaidFilter",
    "OverpaymentAdmin",
    "PaymentAdmin",
    "RefundAdmin",
    "RefundInline",
    "StripeAccountAdmin",
    "TransferDeclarationAdmin",
]

"""Every change to payments: one function per business action.

The modules split them by concern; callers import from here.
"""

from payments.services.batches import (
    BatchUnavailable,
    invoices_checkout_start,
)
from payments.services.checkout import (
    RETURN_OPEN,
    RETURN_PAID,
    RETURN_PROCESSING,
    RETURN_UNCONFIRMED,
    PaymentUnavailable,
    card_payment_account,
    checkout_return_confirm,
    checkout_session_apply,
    invoice_checkout_start,
)
from payments.services.connect import (
    StripeConnectFailed,
    stripe_account_ensure,
    stripe_account_of,
    stripe_connect_refresh,
    stripe_connect_start,
    stripe_disconnect,
)
from payments.services.recording import (
    PaymentRefused,
    card_payment_fail,
    card_payment_settle,
    invoice_mark_paid,
    payment_record,
)
from payments.services.refunds import (
    RefundRefused,
    card_refund_sync,
    payment_refund,
    refund_record,
)
from payments.services.transfer_batches import (
    BatchRecorded,
    TransferBatchRefused,
    transfer_batch_declare,
    transfer_batch_open,
    transfer_batch_record,
    transfer_batch_reject,
)
from payments.services.transfers import (
    DeclarationRefused,
    open_declaration,
    transfer_declaration_record,
    transfer_declaration_reject,
    transfer_declare,
)
from payments.services.webhooks import stripe_event_receive

__all__ = [
    "BatchRecorded",
    "TransferBatchRefused",
    "transfer_batch_declare",
    "transfer_batch_open",
    "transfer_batch_record",
    "transfer_batch_reject",
    "BatchUnavailable",
    "invoices_checkout_start",
    "RETURN_OPEN",
    "RETURN_PAID",
    "RETURN_PROCESSING",
    "RETURN_UNCONFIRMED",
    "DeclarationRefused",
    "PaymentRefused",
    "PaymentUnavailable",
    "RefundRefused",
    "StripeConnectFailed",
    "card_payment_account",
    "card_payment_fail",
    "card_payment_settle",
    "card_refund_sync",
    "checkout_return_confirm",
    "checkout_session_apply",
    "invoice_checkout_start",
    "invoice_mark_paid",
    "open_declaration",
    "payment_record",
    "payment_refund",
    "refund_record",
    "stripe_account_ensure",
    "stripe_account_of",
    "stripe_connect_refresh",
    "stripe_connect_start",
    "stripe_disconnect",
    "stripe_event_receive",
    "transfer_declaration_record",
    "transfer_declaration_reject",
    "transfer_declare",
]

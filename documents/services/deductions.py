"""What a quote's final invoice deducts: the deposit invoices already issued."""

from documents.models import Document
from documents.services.amounts import version_bases
from documents.totals import Deduction


def quote_deposits(quote: Document) -> list[Document]:
    """The quote's deposit invoices that stand (issued, not canceled), oldest
    first."""
    return list(
        quote.deposit_invoices.all()
        .exclude(status__in=(Document.Status.DRAFT, Document.Status.CANCELED))
        .select_related("current_version")
        .order_by("number_year", "number_sequence", "pk")
    )


def deductions_for(document: Document) -> list[Deduction]:
    """The deposits a final invoice takes off; none for any other document."""
    quote = document.source_quote
    if quote is None:
        return []
    return [
        Deduction(
            number=deposit.number or "",
            issue_date=deposit.issue_date.isoformat(),
            bases=version_bases(deposit.current_version),
        )
        for deposit in quote_deposits(quote)
    ]

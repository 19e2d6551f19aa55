"""What the client is told after answering a quote in its portal: the signed
PDF after signing (or accepting), an acknowledgement after declining.

The e-mails are asked for in the answer's transaction (`signing.services`) and
delivered by mail's task, which asks this module what they hold
(`mail.hooks`, registered in `SigningConfig.ready`).
"""

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from companies.money import format_day, format_money
from documents.models import ClientEmail, Document, QuoteSignature, document_storage
from mail import hooks as mail_hooks
from printing.downloads import signed_pdf_filename


def _quote_of(email: ClientEmail) -> Document:
    if email.document is None:  # never written without its quote
        raise ValueError("A quote's answer e-mail names its quote.")
    return email.document


def quote_signed_email_content(
    email: ClientEmail, company: str
) -> mail_hooks.EmailContent:
    """The signed quote's sealed PDF, sealed now if the task has not yet."""
    from signing.signed_pdf import signed_pdf_ensure  # pyHanko: only where it seals

    quote = _quote_of(email)
    # unscoped: the e-mail's own quote's signature
    signature = QuoteSignature.objects.select_related("version").get(document=quote)
    signature = signed_pdf_ensure(signature=signature)
    with document_storage().open(str(signature.signed_pdf_file.name), "rb") as stored:
        data = stored.read()
    locale = translation.to_locale(translation.get_language())
    values = {"company": company, "number": quote.number}
    return mail_hooks.EmailContent(
        subject=_("Quote %(number)s signed: your copy") % values,
        intro=_(
            "Thank you: you accepted quote %(number)s from %(company)s. The "
            "signed PDF is your copy; %(company)s has been told."
        )
        % values,
        facts=[
            (_("Quote"), quote.number or ""),
            (_("Amount"), format_money(quote.total, quote.currency, locale)),
            (
                _("Signed on"),
                format_day(timezone.localdate(signature.signed_at), locale),
            ),
            (_("Signed by"), signature.signer_name),
        ],
        button=_("View the quote"),
        attachments=[mail_hooks.Attachment(signed_pdf_filename(signature), data)],
    )


def quote_declined_email_content(
    email: ClientEmail, company: str
) -> mail_hooks.EmailContent:
    """An acknowledgement: the answer was received."""
    quote = _quote_of(email)
    values = {"company": company, "number": quote.number}
    return mail_hooks.EmailContent(
        subject=_("Quote %(number)s declined") % values,
        intro=_(
            "You declined quote %(number)s from %(company)s. %(company)s has "
            "been told; nothing more is needed from you."
        )
        % values,
        facts=[(_("Quote"), quote.number or "")],
        button=_("View the quote"),
    )

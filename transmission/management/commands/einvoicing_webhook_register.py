"""Subscribe this server's webhook (PORTAL_BASE_URL + /einvoicing/webhook/)
to a company's platform and keep the signing key it returns."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse
from django.utils import timezone

from companies.models import Company
from transmission import services
from transmission.afnor import PlatformError


class Command(BaseCommand):
    help = "Register the webhook on a company's e-invoicing platform."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("company_id", type=int)

    def handle(self, *args: object, **options: object) -> None:
        company_id = options["company_id"]
        assert isinstance(company_id, int)
        company = Company.objects.filter(pk=company_id).first()
        connection = services.connection_of(company) if company else None
        if connection is None:
            raise CommandError("That company has no e-invoicing platform.")
        callback = settings.PORTAL_BASE_URL.rstrip("/") + reverse(
            "transmission:webhook"
        )
        try:
            services.platform_webhook_register(
                connection=connection, callback_url=callback, now=timezone.now()
            )
        except (PlatformError, services.ConnectionRefused) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{company}: webhook {callback} registered")

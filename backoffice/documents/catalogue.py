"""The catalogue's page: products and services a line picks by name."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from companies.admin_site import CompanyScopedAdmin, back_office
from companies.middleware import active_company, member
from documents import services
from documents.models import CatalogueItem


@admin.register(CatalogueItem, site=back_office)
class CatalogueItemAdmin(CompanyScopedAdmin):
    list_display = ("name", "unit", "unit_price", "vat_rate")
    search_fields = ("name",)
    ordering = ("name", "-pk")
    fields = ("name", "unit", "unit_price", "vat_rate")

    def get_form(
        self,
        request: HttpRequest,
        obj: Any | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> Any:
        base = super().get_form(request, obj, change, **kwargs)
        company = active_company(request)

        class Form(base):  # type: ignore[valid-type,misc]
            def clean_name(self) -> str:
                """One name per item of the company's catalogue."""
                name = str(self.cleaned_data["name"]).strip()
                taken = CatalogueItem.objects.for_company(company).filter(name=name)
                if self.instance.pk is not None:
                    taken = taken.exclude(pk=self.instance.pk)
                if taken.exists():
                    raise forms.ValidationError(
                        _("The catalogue already has “%(name)s”.") % {"name": name}
                    )
                return name

        return Form

    def save_model(
        self, request: HttpRequest, obj: CatalogueItem, form: ModelForm, change: bool
    ) -> None:
        try:
            saved = services.catalogue_item_save(
                company=active_company(request),
                actor=member(request),
                now=timezone.now(),
                item=obj if change else None,
                **{name: form.cleaned_data[name] for name in self.fields},
            )
        except services.CatalogueItemRefused as exc:
            # The same name saved meanwhile by someone else: said, not a 500.
            self.message_user(request, str(exc), messages.ERROR)
            return
        obj.pk = saved.pk

"""The company's catalogue of products and services."""

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from companies.models import Actor, Company
from documents.models import CatalogueItem
from documents.services.errors import DocumentError


class CatalogueItemRefused(DocumentError):
    pass


@transaction.atomic
def catalogue_item_save(
    *,
    company: Company,
    actor: Actor,
    now: dt.datetime,
    name: str,
    unit: str,
    unit_price: Decimal,
    vat_rate: Decimal,
    item: CatalogueItem | None = None,
) -> CatalogueItem:
    """Add a product or service to the catalogue, or change one of it.

    :raises CatalogueItemRefused: another item has that name.
    """
    if item is None:
        item = CatalogueItem(company=company)
    item.name, item.unit = name.strip(), unit.strip()
    item.unit_price, item.vat_rate = unit_price, vat_rate
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError as exc:
        raise CatalogueItemRefused(
            _("The catalogue already has “%(name)s”.") % {"name": item.name}
        ) from exc
    return item

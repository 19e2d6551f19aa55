"""The back office's home page, apart from what apps add to it: the member's
own recent actions, and the page a manager sees instead of receivables."""

from django.contrib.admin.models import LogEntry
from django.db import models
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from companies.models import Company, Membership


def company_contacts(company: Company) -> list[Membership]:
    """Whom a member asks for access: the company's active owners, then admins."""
    return list(
        Membership.objects.filter(
            company=company,
            role__in=(Membership.Role.OWNER, Membership.Role.ADMIN),
            user__is_active=True,
        )
        .select_related("user")
        # Owners first ("admin" < "owner" alphabetically, hence descending).
        .order_by("-role", "user__full_name", "user__email", "pk")
    )


def manager_home(
    request: HttpRequest, context: dict, membership: Membership
) -> TemplateResponse:
    """What a manager sees at home: receivables and the client portal are not
    theirs to see, and whom to ask (Django's admin would only say "You don't
    have permission to view or edit anything")."""
    context = {
        **context,
        "title": _("Receivables are reserved"),
        "company": membership.company,
        "contacts": company_contacts(membership.company),
    }
    return TemplateResponse(request, "admin/manager_home.html", context)


def recent_actions(request: HttpRequest, limit: int = 10) -> list[LogEntry]:
    """The member's latest back-office actions on the active company's rows.

    Django's own list shows every action of the user, so a member who left a
    company would still read the names of its clients and documents.
    """
    company = getattr(request, "company", None)
    if company is None:
        return []
    entries = list(
        LogEntry.objects.filter(user_id=str(request.user.pk))
        .select_related("content_type")
        .order_by("-action_time", "-pk")[: limit * 5]
    )
    ids_by_model: dict[type[models.Model], set[str]] = {}
    for entry in entries:
        model = entry.content_type.model_class() if entry.content_type else None
        if model is not None and entry.object_id is not None:
            ids_by_model.setdefault(model, set()).add(entry.object_id)
    ours: set[tuple[type[models.Model], str]] = set()
    for model, ids in ids_by_model.items():
        if model is Company:
            rows = {str(company.pk)} & ids
        elif any(field.name == "company" for field in model._meta.fields):
            rows = {
                str(pk)
                for pk in model._default_manager.filter(
                    pk__in=[i for i in ids if i.isdigit()], company=company
                ).values_list("pk", flat=True)
            }
        else:
            rows = set()  # not a company's row: never listed
        ours |= {(model, row) for row in rows}
    return [
        entry
        for entry in entries
        if entry.content_type
        and (entry.content_type.model_class(), entry.object_id) in ours
    ][:limit]

from django.db.models import QuerySet

from companies.models import Membership, User


def memberships_for(*, user: User) -> QuerySet[Membership]:
    """The companies a user belongs to, in a stable order for the switcher."""
    return (
        Membership.objects.filter(user=user)
        .select_related("company")
        .order_by("company__name", "-pk")
    )


def active_membership(*, user: User, company_id: int | None) -> Membership | None:
    """The membership for the company the user picked, else their first one."""
    memberships = memberships_for(user=user)
    if company_id is not None:
        picked = memberships.filter(company_id=company_id).first()
        if picked is not None:
            return picked
    return memberships.first()

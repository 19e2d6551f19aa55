"""The member's own profile page in the back office: their language and e-mail
preferences."""

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from companies import services
from companies.middleware import member
from companies.models import User
from companies.selectors import memberships_for


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ("language", "notify_client_activity")

    def __init__(self, *args: Any, hears_clients: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not hears_clients:
            del self.fields["notify_client_activity"]


def hears_client_activity(user: User) -> bool:
    """Whether client activity may ever be e-mailed to `user`: they are an
    owner or admin of a company with the receivables add-on. Without it the
    clients have no portal, so they open, pay, sign or declare nothing online,
    and the preference would speak of nothing."""
    return any(
        membership.can_change_receivables and membership.company.has_receivables_addon
        for membership in memberships_for(user=user)
    )


def profile_view(request: HttpRequest, site_context: dict) -> HttpResponse:
    user = member(request)
    hears_clients = hears_client_activity(user)
    data = request.POST if request.method == "POST" else None
    form = ProfileForm(data, instance=user, hears_clients=hears_clients)
    if request.method == "POST" and form.is_valid():
        services.user_preferences_update(
            user=user,
            language=form.cleaned_data["language"],
            # Not offered: kept as it is, for a company that takes the add-on.
            notify_client_activity=form.cleaned_data.get(
                "notify_client_activity", user.notify_client_activity
            ),
        )
        messages.success(request, _("Your preferences are saved."))
        return HttpResponseRedirect(reverse("admin:profile"))
    context = {**site_context, "title": _("Your profile"), "form": form}
    return TemplateResponse(request, "admin/profile.html", context)

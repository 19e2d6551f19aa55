"""The member's own profile page in the back office: their language and e-mail
preferences."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from companies import services
from companies.middleware import member
from companies.models import User


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ("language", "notify_client_activity")


def profile_view(request: HttpRequest, site_context: dict) -> HttpResponse:
    user = member(request)
    data = request.POST if request.method == "POST" else None
    form = ProfileForm(data, instance=user)
    if request.method == "POST" and form.is_valid():
        services.user_preferences_update(
            user=user,
            language=form.cleaned_data["language"],
            notify_client_activity=form.cleaned_data["notify_client_activity"],
        )
        messages.success(request, _("Your preferences are saved."))
        return HttpResponseRedirect(reverse("admin:profile"))
    context = {**site_context, "title": _("Your profile"), "form": form}
    return TemplateResponse(request, "admin/profile.html", context)

import datetime as dt

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from portal import selectors


@login_not_required
@require_safe
def home(request: HttpRequest, token: str) -> HttpResponse:
    client = selectors.portal_client(token=token)
    today: dt.date = timezone.localdate()
    documents = selectors.portal_documents(client=client).order_by("-issue_date", "-pk")
    rows = [(document, document.client_status(today)) for document in documents]
    context = {"client": client, "company": client.company, "rows": rows}
    return render(request, "portal/client_home.html", context)

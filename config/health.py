"""Probes for the load balancer and the orchestrator.

`/healthz`: the process answers (liveness; touches nothing else).
`/readyz`: it can serve, i.e. the database, the cache and the documents storage
all answer; a 503 names the one that failed, so the operator knows where to look.
"""

import logging
import os
import uuid
from pathlib import Path

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage, storages
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@login_not_required
@require_safe
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache() -> None:
    key = value = f"readyz:{uuid.uuid4().hex}"  # probes run at once: one key each
    cache.set(key, value, timeout=30)
    try:
        if cache.get(key) != value:
            raise RuntimeError("the cache did not give back what was just put in it")
    finally:
        cache.delete(key)


def _storage() -> None:
    storage = storages["documents"]
    if isinstance(storage, FileSystemStorage):
        # Local disk: the folder is made on the first save; ready means it
        # can be (or is) there and written to.
        location = Path(storage.location)
        location.mkdir(parents=True, exist_ok=True)
        if not os.access(location, os.W_OK):
            raise PermissionError(f"{location} is not writable")
        return
    # S3 and the like: listing the top of the private prefix fails when the
    # bucket is refused or unreachable.
    storage.listdir("")


CHECKS = {"database": _database, "cache": _cache, "storage": _storage}


@login_not_required
@require_safe
@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:  # any failure means: not ready, and why
            logger.warning("readyz: %s failed: %s", name, exc.__class__.__name__)
            results[name] = f"failed: {exc.__class__.__name__}"
        else:
            results[name] = "ok"
    failed = [name for name, result in results.items() if result != "ok"]
    return JsonResponse(
        {"status": "unavailable" if failed else "ok", "failed": failed, **results},
        status=503 if failed else 200,
    )

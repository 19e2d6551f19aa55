"""One keyword-only writer per kind of audit event (see `AuditEvent`)."""

import datetime as dt

from django.db import models

from companies.models import Actor, AuditEvent, Company


def _write(
    kind: str,
    *,
    company: Company,
    subject: models.Model,
    actor: Actor,
    at: dt.datetime,
    details: dict[str, object] | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        company=company,
        kind=kind,
        subject_type=subject._meta.label_lower,
        subject_id=subject.pk,
        subject_name=str(subject)[:200],
        actor=actor,
        actor_name=str(actor) if actor is not None else "",
        at=at,
        details=details or {},
    )


def company_settings_changed(
    *, company: Company, actor: Actor, at: dt.datetime, fields: list[str]
) -> AuditEvent:
    return _write(
        AuditEvent.Kind.SETTINGS_CHANGED,
        company=company,
        subject=company,
        actor=actor,
        at=at,
        details={"fields": sorted(fields)},
    )


def brand_changed(
    *,
    company: Company,
    kit: models.Model,
    actor: Actor,
    at: dt.datetime,
    fields: list[str],
) -> AuditEvent:
    return _write(
        AuditEvent.Kind.BRAND_CHANGED,
        company=company,
        subject=kit,
        actor=actor,
        at=at,
        details={"fields": sorted(fields)},
    )


def portal_link_rotated(
    *, company: Company, client: models.Model, actor: Actor, at: dt.datetime
) -> AuditEvent:
    return _write(
        AuditEvent.Kind.PORTAL_LINK_ROTATED,
        company=company,
        subject=client,
        actor=actor,
        at=at,
    )


def portal_link_disabled(
    *, company: Company, client: models.Model, actor: Actor, at: dt.datetime
) -> AuditEvent:
    return _write(
        AuditEvent.Kind.PORTAL_LINK_DISABLED,
        company=company,
        subject=client,
        actor=actor,
        at=at,
    )


def portal_link_enabled(
    *, company: Company, client: models.Model, actor: Actor, at: dt.datetime
) -> AuditEvent:
    return _write(
        AuditEvent.Kind.PORTAL_LINK_ENABLED,
        company=company,
        subject=client,
        actor=actor,
        at=at,
    )


def draft_deleted(
    *,
    company: Company,
    document: models.Model,
    actor: Actor,
    at: dt.datetime,
    details: dict[str, object],
) -> AuditEvent:
    return _write(
        AuditEvent.Kind.DRAFT_DELETED,
        company=company,
        subject=document,
        actor=actor,
        at=at,
        details=details,
    )


def client_archived(
    *,
    company: Company,
    client: models.Model,
    actor: Actor,
    at: dt.datetime,
    open_invoices: int,
) -> AuditEvent:
    # How many invoices still expected money: archiving does not settle them.
    return _write(
        AuditEvent.Kind.CLIENT_ARCHIVED,
        company=company,
        subject=client,
        actor=actor,
        at=at,
        details={"open_invoices": open_invoices},
    )


def client_restored(
    *, company: Company, client: models.Model, actor: Actor, at: dt.datetime
) -> AuditEvent:
    return _write(
        AuditEvent.Kind.CLIENT_RESTORED,
        company=company,
        subject=client,
        actor=actor,
        at=at,
    )


def client_deleted(
    *, company: Company, client: models.Model, actor: Actor, at: dt.datetime
) -> AuditEvent:
    # Written before the row goes, so the event keeps its id and name.
    return _write(
        AuditEvent.Kind.CLIENT_DELETED,
        company=company,
        subject=client,
        actor=actor,
        at=at,
    )


def stripe_connected(
    *, company: Company, account: models.Model, actor: Actor, at: dt.datetime
) -> AuditEvent:
    return _write(
        AuditEvent.Kind.STRIPE_CONNECTED,
        company=company,
        subject=account,
        actor=actor,
        at=at,
    )


def stripe_disconnected(
    *, company: Company, account: models.Model, actor: Actor, at: dt.datetime
) -> AuditEvent:
    return _write(
        AuditEvent.Kind.STRIPE_DISCONNECTED,
        company=company,
        subject=account,
        actor=actor,
        at=at,
    )

"""A portal link resolved: one precompiled query by the token's digest.

Every portal request starts here. The row holds the client and its company in
full, but a repeat view of a cached page reads only a few of its columns (the
client's id, revision and language, for the page cache's key): the models are
built from the row, with the database's and the fields' converters, only when
a page is rendered or a form handled. So a request costs one query whichever
it is, and a cached one no ORM compilation and no model instance.
"""

import datetime as dt
import functools
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import QuerySet
from django.http import Http404

from clients.models import Client
from clients.services import portal_token_digest
from companies.models import Company


class PortalLink(NamedTuple):
    """What a portal link opens: the few values a repeat view needs, and the
    whole row for the rest (`portal_client_of`)."""

    client_id: int
    company_id: int
    revision: int
    locale: str
    token_digest: str
    # The client's creation, in microseconds (see `revision_key`).
    created_us: int
    # The whole row (client, then company); None when read narrow.
    row: tuple[Any, ...] | None


# Stands for the digest while the lookups are compiled (never a real digest:
# those are hexadecimal).
_DIGEST = "digest-placeholder"
NARROW = ("pk", "company_id", "portal_revision", "locale", "created_at")

Converters = dict[int, tuple[list[Any], Any]]


class _Compiled(NamedTuple):
    sql: str
    params: tuple[Any, ...]
    position: int  # of the digest among the parameters
    converters: Converters


class _LinkQuery(NamedTuple):
    wide: _Compiled
    narrow: _Compiled
    client_fields: list[str]  # attnames, in the row's order
    split: int  # where the company's columns start


def _compiled(queryset: QuerySet[Any]) -> tuple[_Compiled, list[Any]]:
    compiler = queryset.query.get_compiler(connection.alias)
    sql, params = compiler.as_sql()
    columns = [column for column, _alias, _name in compiler.select]
    return (
        _Compiled(
            sql,
            tuple(params),
            list(params).index(_DIGEST),
            compiler.get_converters(columns),
        ),
        columns,
    )


@functools.lru_cache(maxsize=4)
def _link_query(alias: str) -> _LinkQuery:
    """The token lookups, compiled once per process from the ORM's own query
    (the clients `with_portal()`: one home for the rule), then only run:
    compiling it again was most of a cached page's cost. `wide` reads the
    client and its company in full, `narrow` what a cached page needs."""
    # unscoped: the one read without a company, since the token names it.
    clients = Client.objects.with_portal().filter(portal_token_digest=_DIGEST)
    wide, columns = _compiled(clients.select_related("company")[:1])
    narrow, _columns = _compiled(clients.values_list(*NARROW)[:1])
    client_fields = [
        column.target.attname for column in columns if column.target.model is Client
    ]
    return _LinkQuery(wide, narrow, client_fields, len(client_fields))


def _run(compiled: _Compiled, digest: str) -> list[Any] | None:
    params = list(compiled.params)
    params[compiled.position] = digest
    with connection.cursor() as cursor:
        cursor.execute(compiled.sql, params)
        row = cursor.fetchone()
    return None if row is None else list(row)


def _converted(compiled: _Compiled, row: list[Any], start: int, stop: int) -> list[Any]:
    """The row's values from `start` to `stop` as the ORM hands them over (the
    backend's converters, then the fields' own, as its compiler applies them)."""
    values = row[start:stop]
    for index, (converters, expression) in compiled.converters.items():
        if start <= index < stop:
            value = values[index - start]
            for converter in converters:
                value = converter(value, expression, connection)
            values[index - start] = value
    return values


def _microseconds(value: dt.datetime) -> int:
    return int(value.timestamp() * 1_000_000)


def portal_link(*, token: str, narrow: bool = False) -> PortalLink | None:
    """The link's row, or None when the token opens no portal (unknown,
    rotated, disabled, or a company without the add-on).

    `narrow`: only the values a page served from the cache needs (a tenth of
    the columns, a third cheaper to read); the full client then needs a query
    of its own.

    The lookup is by the token's SHA-256: the database compares digests, so
    no timing tells anything about the token itself."""
    digest = portal_token_digest(token)
    query = _link_query(connection.alias)
    if narrow:
        row = _run(query.narrow, digest)
        if row is None:
            return None
        pk, company_id, revision, locale, created = _converted(
            query.narrow, row, 0, len(NARROW)
        )
        return PortalLink(
            pk, company_id, revision, locale, digest, _microseconds(created), None
        )
    row = _run(query.wide, digest)
    if row is None:
        return None
    values = dict(
        zip(
            query.client_fields,
            _converted(query.wide, row, 0, query.split),
            strict=True,
        )
    )
    return PortalLink(
        values["id"],
        values["company_id"],
        values["portal_revision"],
        values["locale"],
        digest,
        _microseconds(values["created_at"]),
        tuple(row),
    )


def portal_client_of(*, link: PortalLink) -> Client:
    """The link's client and its company, built from the row already read.

    :raises Http404: a narrow link whose client no longer opens a portal."""
    if link.row is None:
        clients = (
            # unscoped: the id and digest come from the link's own lookup.
            Client.objects.with_portal()
            .select_related("company")
            .filter(pk=link.client_id, portal_token_digest=link.token_digest)
        )
        client = next(iter(clients[:1]), None)
        if client is None:
            raise Http404("No portal here.")
        return client
    query = _link_query(connection.alias)
    row = list(link.row)
    client = Client.from_db(
        connection.alias,
        query.client_fields,
        _converted(query.wide, row, 0, query.split),
    )
    company_values = _converted(query.wide, row, query.split, len(row))
    company = Company.from_db(
        connection.alias,
        [field.attname for field in Company._meta.concrete_fields],
        company_values,
    )
    Client._meta.get_field("company").set_cached_value(client, company)
    return client


def portal_client(*, token: str) -> Client:
    """The client whose portal link this is.

    :raises Http404: unknown, rotated or disabled token, or a company without
        the Accounts Receivable add-on; all look the same from outside.
    """
    link = portal_link(token=token)
    if link is None:
        raise Http404("No portal here.")
    client = portal_client_of(link=link)
    client.portal_token_remember(token)  # checked against the digest
    return client


def portal_token_known(token: str) -> bool:
    """Whether the token opens a portal (what `portal_link` would find)."""
    return portal_link(token=token) is not None


def revision_key(client: Client | PortalLink, name: str) -> str:
    """A cache key that changes with everything the client's portal shows.

    `portal_revision` is bumped in the same transaction as every change the
    client can see (a document finalised, hidden or shown, updated, paid…, the
    company's brand kit saved), and it is read before or with what is cached
    under it: a request that sees the new revision sees the change. So nothing
    is ever invalidated, and no request can put back what another's change
    replaced, on one process or many sharing Redis. Only what does not depend
    on today's date is cached this way (an invoice becomes overdue without a
    change). The client's creation time keeps a recreated database (a demo
    reseeded, a fresh install) from meeting old entries under the same ids in
    a shared cache.
    """
    if isinstance(client, PortalLink):
        client_id, created, revision = (
            client.client_id,
            client.created_us,
            client.revision,
        )
    else:
        client_id, created, revision = (
            client.pk,
            _microseconds(client.created_at),
            client.portal_revision,
        )
    return f"portal:{name}:{client_id}-{created}:{revision}"

"""The back office's pages that bring several capabilities together: the
company's dashboard, the client's page, and the invoices and quotes with every
action on them (registered on `companies.admin_site.back_office`, which
imports this module as every app's `admin`)."""

from backoffice import clients, documents, home  # noqa: F401  (they register)

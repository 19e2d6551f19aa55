from django.urls import path

from portal import views

app_name = "portal"

urlpatterns = [
    path("<str:token>/", views.invoice_list, name="home"),
    path("<str:token>/invoices/", views.invoice_list, name="invoices"),
    path("<str:token>/invoices/pay/", views.invoices_pay, name="invoices_pay"),
    path(
        "<str:token>/invoices/transfer/",
        views.transfer_batch_open,
        name="transfer_batch_open",
    ),
    path(
        "<str:token>/invoices/transfer/<str:batch_id>/",
        views.transfer_batch_page,
        name="transfer_batch",
    ),
    path(
        "<str:token>/invoices/transfer/<str:batch_id>/sent/",
        views.transfer_batch_declare,
        name="transfer_batch_declare",
    ),
    path("<str:token>/invoices/statement/", views.statement_page, name="statement"),
    path(
        "<str:token>/invoices/statement.pdf", views.statement_pdf, name="statement_pdf"
    ),
    path(
        "<str:token>/invoices/documents.zip", views.documents_zip, name="documents_zip"
    ),
    path("<str:token>/quotes/", views.quote_list, name="quotes"),
    path(
        "<str:token>/documents/<int:document_id>/",
        views.document_detail,
        name="document",
    ),
    path(
        "<str:token>/documents/<int:document_id>/versions/<int:number>/",
        views.document_version_detail,
        name="document_version",
    ),
    path(
        "<str:token>/documents/<int:document_id>/versions/<int:number>/pdf/",
        views.document_version_pdf,
        name="document_version_pdf",
    ),
    path(
        "<str:token>/documents/<int:document_id>/sign/",
        views.quote_sign,
        name="quote_sign",
    ),
    path(
        "<str:token>/documents/<int:document_id>/accept/",
        views.quote_accept_online,
        name="quote_accept",
    ),
    path(
        "<str:token>/documents/<int:document_id>/refuse/",
        views.invoice_refuse,
        name="invoice_refuse",
    ),
    path(
        "<str:token>/documents/<int:document_id>/decline/",
        views.quote_decline_online,
        name="quote_decline",
    ),
    path(
        "<str:token>/documents/<int:document_id>/signed.pdf",
        views.quote_signed_pdf,
        name="quote_signed_pdf",
    ),
    path(
        "<str:token>/documents/<int:document_id>/pay/",
        views.invoice_pay,
        name="invoice_pay",
    ),
    path(
        "<str:token>/documents/<int:document_id>/receipts/<int:receipt_id>.pdf",
        views.receipt_pdf,
        name="receipt_pdf",
    ),
    path(
        "<str:token>/documents/<int:document_id>/paid-by-transfer/",
        views.transfer_declare,
        name="transfer_declare",
    ),
    path(
        "<str:token>/documents/<int:document_id>/versions/<int:number>/factur-x.xml",
        views.document_version_xml,
        name="document_version_xml",
    ),
    path("<str:token>/logo.png", views.brand_logo, name="logo"),
    path("<str:token>/icon-<int:size>.png", views.brand_icon, name="icon"),
    path("<str:token>/manifest.webmanifest", views.manifest, name="manifest"),
    path("<str:token>/language/", views.language_set, name="language"),
    path("<str:token>/events/", views.portal_events, name="events"),
    path("<str:token>/seen/", views.portal_beacon, name="beacon"),
]

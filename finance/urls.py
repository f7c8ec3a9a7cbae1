from django.urls import path

from finance.views import admissions, billing, documents, reports, spaces, staff, statements

app_name = "finance"

urlpatterns = [
    path("staff/finance/overdue/", reports.overdue, name="overdue"),
    path("staff/finance/journal/", reports.journal_export, name="journal"),
    path("staff/finance/sponsors/", reports.sponsors, name="sponsors"),
    path("finance/documents/<int:pk>/", documents.document, name="document"),
    path("finance/documents/<int:pk>/retry/", documents.document_retry, name="document_retry"),
    path("finance/statements/request/", documents.statement_request, name="statement_request"),
    path(
        "staff/finance/cohorts/<slug:slug>/sponsorships/",
        admissions.sponsorships,
        name="sponsorships",
    ),
    path("staff/finance/cohorts/<slug:slug>/deposits/", admissions.deposits, name="deposits"),
    path(
        "staff/finance/intakes/<slug:slug>/application-fees/",
        admissions.application_fees,
        name="application_fees",
    ),
    path("staff/finance/", staff.dashboard, name="dashboard"),
    path("staff/finance/invoices/", staff.invoice_list, name="invoices"),
    path("staff/finance/payments/new/", staff.payment_new, name="payment_new"),
    path("staff/finance/payments/", billing.payment_list, name="payments"),
    path("staff/finance/payments/<int:pk>/", billing.payment_detail, name="payment_detail"),
    path("staff/finance/payments/<int:pk>/proof/", billing.payment_proof, name="payment_proof"),
    path("staff/finance/cohorts/", billing.cohort_list, name="cohorts"),
    path("staff/finance/cohorts/<slug:slug>/schedule/", billing.schedule, name="schedule"),
    path(
        "staff/finance/cohorts/<slug:slug>/invoice/",
        billing.invoice_issue_page,
        name="invoice_issue",
    ),
    path(
        "staff/finance/cohorts/<slug:slug>/invoice/issued/",
        billing.invoice_issued,
        name="invoice_issued",
    ),
    path(
        "staff/finance/cohorts/<slug:slug>/adjustments/new/",
        billing.adjustment_new,
        name="adjustment_new",
    ),
    path("staff/finance/invoices/<str:number>/", billing.invoice_detail, name="invoice_detail"),
    path(
        "staff/finance/invoices/<str:number>/credit-note/",
        billing.credit_note_new,
        name="credit_note_new",
    ),
    path("staff/finance/statements/", statements.statement_list, name="statements"),
    path(
        "staff/finance/statements/<int:pk>/",
        statements.statement_review,
        name="statement_review",
    ),
    path("me/fees/", spaces.my_fees, name="my_fees"),
    path("sponsor/", spaces.sponsor_home, name="sponsor_home"),
    path("staff/finance/sponsors/<int:pk>/contacts/", spaces.contacts, name="contacts"),
    path(
        "staff/finance/sponsors/<int:pk>/contacts/<int:contact>/account/",
        spaces.contact_account,
        name="contact_account",
    ),
    path(
        "staff/finance/sponsors/<int:pk>/contacts/<int:contact>/revoke/",
        spaces.contact_revoke,
        name="contact_revoke",
    ),
    path(
        "staff/finance/sponsors/<int:pk>/contacts/<int:contact>/remove/",
        spaces.contact_remove,
        name="contact_remove",
    ),
]

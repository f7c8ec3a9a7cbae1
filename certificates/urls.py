from django.urls import path

from certificates import issuer_views, views

app_name = "certificates"

urlpatterns = [
    path("verify/", views.verify_lookup, name="lookup"),
    path("verify/<str:code>/", views.verify, name="verify"),
    path("me/certificates/", views.my_certificates, name="mine"),
    path("certificates/<str:code>/download/", views.download, name="download"),
    path("certificates/<str:code>/retry/", views.certificate_retry, name="retry"),
    path("certificates/<str:code>/revoke/", views.certificate_revoke, name="revoke"),
    path("staff/cohorts/<slug:slug>/certificates/", views.batch_new, name="batch_new"),
    path("staff/cohorts/<slug:slug>/documents/stale/", views.stale_documents, name="stale"),
    path("staff/certificates/batches/<int:pk>/", views.batch_detail, name="batch"),
    path("staff/certificates/batches/<int:pk>/certificates.zip", views.batch_zip, name="batch_zip"),
]

# The issuer of the documents and their signatories (coordination)
urlpatterns += [
    path("staff/documents/issuer/", issuer_views.issuer, name="issuer"),
    path(
        "staff/documents/issuer/signatories/<str:kind>/",
        issuer_views.signatories,
        name="signatories",
    ),
    path(
        "staff/documents/issuer/signatory/<int:pk>/edit/",
        issuer_views.signatory_edit,
        name="signatory_edit",
    ),
    path(
        "staff/documents/issuer/signatory/<int:pk>/retire/",
        issuer_views.signatory_retire,
        name="signatory_retire",
    ),
]

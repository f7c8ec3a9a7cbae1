from django.urls import path

from certificates import views

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

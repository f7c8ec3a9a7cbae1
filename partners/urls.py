from django.urls import path

from partners import views

app_name = "partners"

urlpatterns = [
    path("staff/partners/", views.organisation_list, name="organisations"),
    path("staff/partners/new/", views.organisation_edit, name="organisation_add"),
    path("staff/partners/<slug:slug>/", views.organisation_detail, name="organisation"),
    path("staff/partners/<slug:slug>/edit/", views.organisation_edit, name="organisation_edit"),
    path("staff/partners/<slug:slug>/contacts/new/", views.contact_edit, name="contact_add"),
    path("staff/partners/<slug:slug>/contacts/<int:pk>/", views.contact_edit, name="contact_edit"),
    path(
        "staff/partners/<slug:slug>/contacts/<int:pk>/delete/",
        views.contact_delete,
        name="contact_delete",
    ),
    path("staff/agreements/", views.agreement_list, name="agreements"),
    path("staff/agreements/new/", views.agreement_edit, name="agreement_add"),
    path("staff/agreements/<int:pk>/", views.agreement_edit, name="agreement_edit"),
    path("staff/agreements/<int:pk>/signed.pdf", views.agreement_pdf, name="agreement_pdf"),
]

from django.urls import path, re_path

from curriculum import views

app_name = "curriculum"

urlpatterns = [
    path("programme/", views.programme_default, name="programme_default"),
    path("programme/<slug:slug>/", views.programme_detail, name="programme"),
    path("programme/<slug:slug>/modules/<str:code>/", views.module_detail, name="module"),
    path("partners/", views.partner_list, name="partners"),
    path("partners/<slug:slug>/", views.partner_detail, name="partner"),
    path("staff/teaching/", views.my_modules, name="my_modules"),
    path("staff/curriculum/", views.structure_default, name="structure_default"),
    path("staff/curriculum/<slug:slug>/", views.structure, name="structure"),
    path("staff/curriculum/<slug:slug>/edit/", views.programme_edit, name="programme_edit"),
    path("staff/curriculum/<slug:slug>/units/new/", views.unit_edit, name="unit_add"),
    path("staff/curriculum/<slug:slug>/units/<int:pk>/", views.unit_edit, name="unit_edit"),
    path("staff/curriculum/<slug:slug>/units/<int:pk>/move/", views.unit_move, name="unit_move"),
    path("staff/curriculum/<slug:slug>/modules/new/", views.module_edit, name="module_add"),
    path("staff/curriculum/<slug:slug>/modules/<int:pk>/", views.module_edit, name="module_edit"),
    path(
        "staff/curriculum/<slug:slug>/modules/<int:pk>/move/", views.module_move, name="module_move"
    ),
    path(
        "staff/curriculum/<slug:slug>/modules/<int:pk>/delete/",
        views.module_delete,
        name="module_delete",
    ),
    path(
        "staff/curriculum/<slug:slug>/modules/<int:pk>/lecturers/",
        views.module_add_lecturer,
        name="module_add_lecturer",
    ),
    path(
        "staff/curriculum/<slug:slug>/modules/<int:pk>/lecturers/<int:assignment>/remove/",
        views.module_remove_lecturer,
        name="module_remove_lecturer",
    ),
    path(
        "staff/curriculum/<slug:slug>/modules/<int:pk>/partners/",
        views.module_add_partner,
        name="module_add_partner",
    ),
    path(
        "staff/curriculum/<slug:slug>/modules/<int:pk>/partners/<int:assignment>/remove/",
        views.module_remove_partner,
        name="module_remove_partner",
    ),
    re_path(
        r"^staff/curriculum/(?P<slug>[-\w]+)/maquette\.(?P<fmt>csv|xlsx)$",
        views.export_maquette,
        name="export",
    ),
]

from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("staff/people/", views.people, name="people"),
    path("staff/people/<int:pk>/", views.person, name="person"),
    path("staff/people/<int:pk>/role/", views.person_role, name="person_role"),
    path("staff/emails/", views.emails, name="emails"),
    path("staff/emails/<int:pk>/retry/", views.email_retry, name="email_retry"),
]

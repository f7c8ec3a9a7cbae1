from django.urls import path

from accounts import views, views_notifications

app_name = "accounts"

urlpatterns = [
    path("staff/people/", views.people, name="people"),
    path("staff/people/<int:pk>/", views.person, name="person"),
    path("staff/people/<int:pk>/role/", views.person_role, name="person_role"),
    path("staff/emails/", views.emails, name="emails"),
    path("staff/emails/<int:pk>/retry/", views.email_retry, name="email_retry"),
    path("me/notifications/", views_notifications.notification_list, name="notifications"),
    path(
        "me/notifications/<int:pk>/open/",
        views_notifications.notification_open,
        name="notification_open",
    ),
    path(
        "me/notifications/read/",
        views_notifications.notifications_read_all,
        name="notifications_read_all",
    ),
    path(
        "me/notifications/preferences/",
        views_notifications.notification_preferences,
        name="notification_preferences",
    ),
]

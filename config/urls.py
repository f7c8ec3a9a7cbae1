from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from config import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("me/", views.me, name="me"),
    path("staff/", views.staff_home, name="staff_home"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("partners.urls")),
    path("", include("curriculum.urls")),
    path("", include("enrollment.urls")),
    path("", include("studies.urls")),
    path("", include("certificates.urls")),
    path("", include("finance.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    # Public uploads (partners' logos); in production the web server serves MEDIA_ROOT.
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"

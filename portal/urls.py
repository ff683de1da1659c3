from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from core.passwords import PasswordResetView
from portal import views

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("my-service/", views.MyServiceView.as_view(), name="my-service"),
    # Before Django's auth URLs, which it replaces: a reset throttled per address and account.
    path("accounts/password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    # The account page, the language switcher that also remembers a signed-in choice, and the
    # managers' page of outgoing messages.
    path("", include("core.urls")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("portal.urls_api")),
    path("", include("channels_app.urls")),
    path("", include("standards.urls")),
    path("", include("sla.urls")),
    path("", include("training.urls")),
    path("", include("surveys.urls")),
    path("", include("quality.urls")),
]

handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"

if settings.DEBUG:
    # Lets a developer look at the error pages while DEBUG is on.
    urlpatterns += [path("_errors/<int:code>/", views.error_preview)]

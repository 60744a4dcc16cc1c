from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import views as account_views
from accounts.forms import InvitationAwarePasswordResetForm
from lib.api.views import NotFoundView
from mbc_tracker import health, pwa, views

urlpatterns = [
    path("", views.home, name="home"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/language/", account_views.language_choose, name="settings_language"),
    path("settings/sign-out-everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
    path("", include("symptoms.urls")),
    path("", include("flags.urls")),
    path("", include("appointments.urls")),
    path("", include("notifications.urls")),
    path("", include("care.urls")),
    path("", include("exports.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("offline/", pwa.offline, name="offline"),
    path("favicon.ico", pwa.favicon, name="favicon"),
    path("accounts/login/", account_views.SignInView.as_view(), name="login"),
    path("accounts/logout/", account_views.SignOutView.as_view(), name="logout"),
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(form_class=InvitationAwarePasswordResetForm),
        name="password_reset",
    ),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    # The language switcher for visitors not signed in (the login page): Django's set_language.
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("accounts.api.urls")),
    path("api/v1/", include("symptoms.api.urls")),
    path("api/v1/", include("flags.api.urls")),
    path("api/v1/", include("appointments.api.urls")),
    path("api/v1/", include("notifications.api.urls")),
    path("api/v1/", include("care.api.urls")),
    path("api/v1/", include("exports.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    # Last: any other address under /api/ answers a JSON 404, whatever its method.
    re_path(r"^api/", NotFoundView.as_view(), name="api-not-found"),
]

"""The admin site: daily work first, low-level tables last.

Django's admin lists apps alphabetically, which puts lockout records and tokens beside patients.
``get_app_list`` (the documented hook) regroups the index into named sections; an app's own page
(``app_label`` given) stays as Django builds it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

# (section name, the models in it as (app_label, ModelName)), in the order shown.
SECTIONS: tuple[tuple[Promise, tuple[tuple[str, str], ...]], ...] = (
    (
        gettext_lazy("People and care teams"),
        (
            ("accounts", "User"),
            ("accounts", "PatientProfile"),
            ("accounts", "CareTeam"),
            ("accounts", "CarerLink"),
        ),
    ),
    (
        gettext_lazy("Clinical settings"),
        (
            ("flags", "FlagThresholds"),
            ("symptoms", "Symptom"),
            ("symptoms", "Site"),
            ("appointments", "Resource"),
        ),
    ),
    (
        gettext_lazy("Patients' records"),
        (
            ("flags", "Flag"),
            ("symptoms", "DailyLog"),
            ("appointments", "Appointment"),
            ("appointments", "ScanCheckIn"),
            ("notifications", "Notification"),
            ("exports", "RecordExport"),
        ),
    ),
)
SYSTEM_SECTION = gettext_lazy("Security and system records")
# Whole apps, and single models, that belong in the last section.
SYSTEM_APPS = frozenset(
    {"auth", "authtoken", "axes", "auditlog", "django_celery_beat", "django_celery_results"}
)
SYSTEM_MODELS = frozenset({("accounts", "RecordAccess"), ("appointments", "CalendarFeed")})


class MbcAdminSite(admin.AdminSite):
    site_header = gettext_lazy("MBC Tracker administration")
    site_title = gettext_lazy("MBC Tracker admin")
    index_title = gettext_lazy("People, care teams and clinical content")

    def has_permission(self, request: HttpRequest) -> bool:
        """Staff only, and only once the session has passed two-step sign-in (the middleware
        sends such a session to the code page first; admin asks the same rule itself)."""
        from accounts import two_step  # this module loads with the app registry, models later

        return super().has_permission(request) and not two_step.needs_second_step(request.user)

    def logout(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        """Signing out of admin clears the browser's copy of the site, as everywhere else."""
        from accounts import sessions

        response = super().logout(request, extra_context)
        if request.method == "POST":
            sessions.clear_this_browser(response)
        return response

    def get_app_list(
        self, request: HttpRequest, app_label: str | None = None
    ) -> list[dict[str, Any]]:
        if app_label is not None:
            return super().get_app_list(request, app_label)
        apps = super().get_app_list(request)
        found = {
            (app["app_label"], model["object_name"]): model
            for app in apps
            for model in app["models"]
        }
        placed: set[tuple[str, str]] = set()
        result = []
        for name, keys in SECTIONS:
            models = [found[key] for key in keys if key in found]
            placed.update(keys)
            if models:
                result.append(self._section(name, models))
        system = []
        for app in apps:
            rest = []
            for model in app["models"]:
                key = (app["app_label"], model["object_name"])
                if key in placed:
                    continue
                if app["app_label"] in SYSTEM_APPS or key in SYSTEM_MODELS:
                    system.append(model)
                else:
                    rest.append(model)
            if rest:  # anything not sorted yet keeps its own app, before the system records
                result.append({**app, "models": rest})
        if system:
            result.append(self._section(SYSTEM_SECTION, system))
        return result

    def _section(self, name: Promise, models: list[dict[str, Any]]) -> dict[str, Any]:
        with translation.override("en"):  # the label is a key, the same in every language
            label = str(name).lower().replace(" ", "_").replace("'", "")
        return {
            "name": str(name),
            "app_label": label,
            "app_url": reverse("admin:index", current_app=self.name),
            "has_module_perms": True,
            "models": models,
        }


class MbcAdminConfig(AdminConfig):
    default_site = "mbc_tracker.admin_site.MbcAdminSite"

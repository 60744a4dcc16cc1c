"""The patient's own download of their whole record: one row per request, the ZIP kept in
PostgreSQL (web replicas hold no files and workers may run elsewhere) until it expires."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Being prepared")
    READY = "ready", _("Ready to download")
    FAILED = "failed", _("Could not be prepared")
    EXPIRED = "expired", _("Expired (file removed)")


class RecordExport(models.Model):
    """One download of a patient's record. The row outlives its file: once expired (or failed)
    the bytes are gone and the row stays as the trail of who asked, when, and how often it was
    downloaded."""

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="record_exports",
        verbose_name=_("patient"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"))
    status = models.CharField(
        _("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    ready_at = models.DateTimeField(_("ready at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    # The ZIP itself; NULL before it is built and once it has expired. Never logged or audited.
    archive = models.BinaryField(_("archive"), null=True, editable=False)
    size = models.PositiveIntegerField(_("size"), default=0, help_text=_("Bytes of the ZIP."))
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    download_count = models.PositiveIntegerField(_("downloads"), default=0)
    last_downloaded_at = models.DateTimeField(_("last downloaded at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(
        _("attempts"), default=0, help_text=_("Builds started.")
    )
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("record export")
        verbose_name_plural = _("record exports")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # A second request while one is being prepared gets that one: no pile of builds.
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(status="pending"),
                name="one_pending_record_export_per_patient",
            ),
            models.CheckConstraint(
                condition=~Q(status="ready") | Q(ready_at__isnull=False, expires_at__isnull=False),
                name="ready_record_exports_have_dates",
            ),
        ]
        indexes = [
            models.Index(fields=["patient", "-requested_at"], name="record_export_patient"),
            # The daily purge: ready exports past their date.
            models.Index(
                fields=["expires_at"], condition=Q(status="ready"), name="record_export_purge"
            ),
        ]

    def __str__(self) -> str:
        return f"Record export {self.pk} of {self.patient_id} ({self.status})"

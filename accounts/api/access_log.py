"""The record access log for API list views: the patients on the page a view returns."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from accounts.services import record_access


class RecordAccessListMixin:
    """For a paginated list of patients' data (a ``ListAPIView``): the patients whose rows are
        on the page returned are noted in the record access log as a list (at most once an hour per
    patient for the same address: a client polling the list writes nothing new). Patients reading
        their own data write nothing (``record_access`` decides)."""

    record_access_what: str

    def record_patient_id(self, item: Any) -> int:
        """Whose record ``item`` is part of."""
        return item.patient_id

    def paginate_queryset(self, queryset: Any) -> Sequence[Any] | None:
        page = super().paginate_queryset(queryset)  # type: ignore[misc]
        patient_ids = [self.record_patient_id(item) for item in page or []]
        acting = getattr(self.request, "acting_profile", None)  # type: ignore[attr-defined]
        if acting is not None:  # a carer's look at their patient's list, noted even when empty
            patient_ids = [acting.pk]
        record_access(
            request=self.request,  # type: ignore[attr-defined]
            patient_ids=patient_ids,
            what=self.record_access_what,
            listing=True,
        )
        return page

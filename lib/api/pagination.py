"""Page numbers for every paginated list of the API."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination
from rest_framework.request import Request

PAGE_SCHEMA = {"type": "integer", "minimum": 1}


class PageNumberPagination(pagination.PageNumberPagination):
    """DRF's page numbers, strictly: ``?page=`` must be a whole number from 1 (else 400, as for
    any bad query value; empty means not given, page 1); a page past the last one is 404, as DRF
    has it."""

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        raw = request.query_params.get(self.page_query_param)
        if raw and not (raw.isascii() and raw.isdigit() and int(raw) >= 1):
            raise exceptions.ValidationError(
                {self.page_query_param: [_("A page number is a whole number from 1.")]}
            )
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = dict(PAGE_SCHEMA)
                parameter["description"] = "A page number from 1; past the last page is 404."
        return parameters

"""The API's answer at addresses it does not have."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions, permissions
from rest_framework.request import Request
from rest_framework.views import APIView


class NotFoundView(APIView):
    """Any other address under /api/: a 404 in JSON like the API's own, not an HTML page (and
    the same for everyone, signed in or not)."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    schema = None  # not an operation of the API

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        raise exceptions.NotFound(_("There is nothing at this address."))

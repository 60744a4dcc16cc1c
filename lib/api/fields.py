"""Serializer fields the API shares."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


class StrictCharField(serializers.CharField):
    """Text that must come as a JSON string: DRF's own field would quietly turn ``0`` into
    ``"0"``, and a client that sent a number by mistake would never hear of it."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)

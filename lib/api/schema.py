"""The API's OpenAPI schema class: drf-spectacular's, with every error answer declared."""

from __future__ import annotations

from typing import Any

from django.core.validators import ProhibitNullCharactersValidator
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import permissions
from rest_framework.authentication import SessionAuthentication

ERROR_COMPONENT = "Error"
VALIDATION_ERROR_COMPONENT = "ValidationError"
ERROR_SCHEMA = {
    "type": "object",
    "description": "Why the request was refused, in plain words.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "description": 'Each bad field with its messages, e.g. `{"date": ["..."]}`, '
    '`{"non_field_errors": ["..."]}`, or `{"detail": "..."}` for a body that is not JSON.',
    "additionalProperties": {},
}
ERROR_DESCRIPTIONS = {
    "400": "Bad input, and nothing was changed: the body names each bad field.",
    "401": "Not signed in, or the token is not valid.",
    "403": "Signed in, but this is not for your role (or the form's CSRF token is missing).",
    "404": "No such thing among those you may see.",
    "429": "Too many attempts; wait for the seconds in Retry-After.",
}
# Any text without a NUL character.
NO_NUL = "^[^\\u0000]*$"
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Permissions that only ask for a signed-in user; any other one can refuse a role with 403.
SIGNED_IN_ONLY = (permissions.IsAuthenticated, permissions.AllowAny)


class ErrorAutoSchema(AutoSchema):
    """drf-spectacular's schema, plus the error answers DRF gives that a view does not declare
    itself: 400 where there is a body or a query string, 401 and 403 where the view needs a
    signed-in user or a role, 404 where the path names an object or the list is paged, 429 where
    requests are throttled. Errors declared without a body get the body DRF sends."""

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        for parameter in operation.get("parameters", []):
            # DRF reads ?status= as "not given", as HTML forms send it; the schema says so.
            if parameter["in"] == "query" and not parameter.get("required"):
                parameter["allowEmptyValue"] = True
        responses = operation["responses"]
        for code in self._error_codes(operation):
            response = responses.setdefault(code, {"description": ERROR_DESCRIPTIONS[code]})
            if not response.get("description"):
                response["description"] = ERROR_DESCRIPTIONS[code]
            if "content" not in response:
                component = VALIDATION_ERROR_COMPONENT if code == "400" else ERROR_COMPONENT
                response["content"] = {"application/json": {"schema": self._ref(component)}}
        for code, response in responses.items():
            # Errors a view declared with a description only: the body is DRF's usual one.
            if code >= "400" and "content" not in response and code in ERROR_DESCRIPTIONS:
                component = VALIDATION_ERROR_COMPONENT if code == "400" else ERROR_COMPONENT
                response["content"] = {"application/json": {"schema": self._ref(component)}}
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _map_basic_serializer(self, serializer: Any, direction: str) -> dict[str, Any]:
        schema = super()._map_basic_serializer(serializer, direction)
        # A serializer that refuses fields it does not know says so (400 for any other field).
        if direction == "request" and getattr(serializer, "refuses_unknown_fields", False):
            schema["additionalProperties"] = False
        return schema

    def _map_serializer_field(self, field: Any, direction: str, *args: Any, **kwargs: Any) -> Any:
        schema = super()._map_serializer_field(field, direction, *args, **kwargs)
        # A list field that refuses repeats says so.
        if getattr(field, "unique_items", False) and schema.get("type") == "array":
            schema["uniqueItems"] = True
        # Text fields refuse NUL (PostgreSQL text cannot hold it): the schema says so.
        if (
            direction == "request"
            and any(isinstance(v, ProhibitNullCharactersValidator) for v in field.validators)
            and "pattern" not in schema
        ):
            schema["pattern"] = NO_NUL
        return schema

    def _error_codes(self, operation: dict[str, Any]) -> list[str]:
        parameters = operation.get("parameters", [])
        query = [parameter for parameter in parameters if parameter["in"] == "query"]
        in_path = [parameter for parameter in parameters if parameter["in"] == "path"]
        paged = any(parameter["name"] == "page" for parameter in query)
        signed_in = not any(
            isinstance(permission, permissions.AllowAny)
            for permission in self.view.get_permissions()
        )
        # A permission may say it never refuses this method of this view (``refuses``): the
        # carers' rule lets them use their own account, messages and devices.
        role_check = any(
            not isinstance(permission, SIGNED_IN_ONLY)
            and getattr(permission, "refuses", lambda view, method: True)(self.view, self.method)
            for permission in self.view.get_permissions()
        )
        sessions = any(
            isinstance(authenticator, SessionAuthentication)
            for authenticator in self.view.get_authenticators()
        )
        codes = []
        if query or "requestBody" in operation:
            codes.append("400")
        if signed_in:
            codes.append("401")
            if role_check or (sessions and self.method in UNSAFE_METHODS):
                codes.append("403")
        if in_path or paged:
            codes.append("404")
        if self.view.get_throttles():
            codes.append("429")
        return codes

    def _ref(self, name: str) -> dict[str, str]:
        schema = ERROR_SCHEMA if name == ERROR_COMPONENT else VALIDATION_ERROR_SCHEMA
        component = ResolvedComponent(
            name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schema
        )
        self.registry.register_on_missing(component)
        return component.ref

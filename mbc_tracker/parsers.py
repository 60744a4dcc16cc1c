"""The API's JSON parser: bounded in size and depth before anything is parsed.

Python's JSON parser recurses once per level of nesting: a body of a few kilobytes nested
thousands of levels deep ends in a ``RecursionError`` (a 500). Every request body the API takes is
a few levels deep and a few kilobytes long, so anything longer than
``DATA_UPLOAD_MAX_MEMORY_SIZE`` is refused with a JSON 413 and anything nested deeper than
``MAX_DEPTH`` with a 400, both before the JSON is parsed.

It is not a subclass of DRF's ``JSONParser``: DRF hands that one ``request.body``, whose size
check answers a too-large body with Django's HTML 400 page, and an API client needs JSON.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import renderers, status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import BaseParser
from rest_framework.settings import api_settings
from rest_framework.utils import json

# The deepest body the API takes is a log: {"entries": [{"symptom": ..., "value": ...}]} (3).
MAX_DEPTH = 20

# What the depth count looks at: brackets, and the quotes and backslashes that say whether a
# bracket is inside a string (text) or not (structure).
_SPECIAL = re.compile(r'[\[\]{}"\\]')


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request is too large.")
    default_code = "too_large"


def nesting_depth(text: str, *, limit: int = MAX_DEPTH) -> int:
    """How deeply arrays and objects nest in the JSON ``text``, counted up to ``limit + 1`` (a
    text that is not JSON gives some number; the parser then refuses it anyway). One pass over
    the special characters, so its time grows with the length of the text and no faster."""
    depth = deepest = 0
    in_string = False
    escaped = -1  # the position of a character a backslash escapes
    for match in _SPECIAL.finditer(text):
        position, char = match.start(), match.group()
        if position == escaped:
            continue
        if in_string:
            if char == "\\":
                escaped = position + 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    break
        elif char in "]}":
            depth -= 1
    return deepest


class BoundedJSONParser(BaseParser):
    """DRF's ``JSONParser``, reading at most ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes and refusing
    nesting deeper than ``MAX_DEPTH`` before parsing."""

    media_type = "application/json"
    renderer_class = renderers.JSONRenderer
    strict = api_settings.STRICT_JSON
    max_depth = MAX_DEPTH

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: dict[str, Any] | None = None,
    ) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = b"" if stream is None else stream.read(-1 if limit is None else limit + 1)
        if limit is not None and len(body) > limit:
            raise RequestTooLarge(
                _("The request is too large: at most %(limit)s bytes, please.") % {"limit": limit}
            )
        encoding = (parser_context or {}).get("encoding") or settings.DEFAULT_CHARSET
        try:
            text = body.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            raise ParseError(
                _("JSON parse error - the body is not %(encoding)s text.") % {"encoding": encoding}
            ) from None
        if nesting_depth(text, limit=self.max_depth) > self.max_depth:
            raise ParseError(
                _("JSON parse error - nested too deeply: at most %(depth)s levels, please.")
                % {"depth": self.max_depth}
            )
        try:
            return json.loads(text, parse_constant=json.strict_constant if self.strict else None)
        except RecursionError:  # cannot happen after the check above; never a 500 if it does
            raise ParseError(_("JSON parse error - nested too deeply.")) from None
        except ValueError as error:
            raise ParseError(_("JSON parse error - %(error)s") % {"error": error}) from None

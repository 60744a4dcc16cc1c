"""The language a person reads: for texts made away from their own request (emails, push and
in-app messages, reminders, PDFs made by a task)."""

from __future__ import annotations

from contextlib import AbstractContextManager

from django.conf import settings
from django.utils import translation


def language_of(person: object) -> str:
    """The person's chosen language when the site offers it, otherwise the site's default."""
    chosen = getattr(person, "language", "") or ""
    offered = {code for code, _name in settings.LANGUAGES}
    return chosen if chosen in offered else settings.LANGUAGE_CODE


def in_language_of(person: object) -> AbstractContextManager[None]:
    """``with in_language_of(user): ...`` renders texts for that person."""
    return translation.override(language_of(person))

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


def offered(language: object) -> bool:
    """Whether the site offers this language code ("en", "es")."""
    return any(language == code for code, _name in settings.LANGUAGES)


def use_language_of(request: object, person: object) -> None:
    """Answer this request in the person's chosen language, if they chose one the site offers
    (it wins over the browser's, which LocaleMiddleware has activated). Sets
    ``request.LANGUAGE_CODE`` as LocaleMiddleware does; its response then says
    Content-Language."""
    chosen = getattr(person, "language", "") or ""
    if chosen and offered(chosen):
        translation.activate(chosen)
        request.LANGUAGE_CODE = chosen  # type: ignore[attr-defined]

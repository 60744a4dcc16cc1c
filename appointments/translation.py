"""Resource texts that patients read, in each language the site offers (django-modeltranslation
adds a column per language; an empty one falls back to English)."""

from modeltranslation.translator import TranslationOptions, register

from appointments.models import Resource


@register(Resource)
class ResourceTranslation(TranslationOptions):
    fields = ("title", "body")

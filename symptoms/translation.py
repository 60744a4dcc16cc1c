"""The catalogue's texts that patients read, in each language the site offers (django-
modeltranslation adds a column per language; an empty one falls back to English)."""

from modeltranslation.translator import TranslationOptions, register

from symptoms.models import Site, Symptom


@register(Site)
class SiteTranslation(TranslationOptions):
    fields = ("name",)


@register(Symptom)
class SymptomTranslation(TranslationOptions):
    fields = ("name", "help_text")

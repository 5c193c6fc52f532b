"""The infrastructure catalogue's record texts in English and Slovenian (see ``network.translation``)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Resource


@register(Resource)
class ResourceTranslation(TranslationOptions):
    fields = ("title", "summary", "description", "fee_note", "who_may_use", "booking_notes")

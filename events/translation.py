"""Event texts in English and Slovenian (see ``network.translation``)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Event, RegistrationQuestion


@register(Event)
class EventTranslation(TranslationOptions):
    fields = (
        "title", "summary", "description", "footnote", "organising_project", "presenters_note", "venue",
        "accessibility",
    )


@register(RegistrationQuestion)
class RegistrationQuestionTranslation(TranslationOptions):
    fields = ("label", "help_text", "choices")

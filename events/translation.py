"""Event texts in English and Slovenian (see ``network.translation``)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Event, RegistrantMessage, RegistrationQuestion


@register(Event)
class EventTranslation(TranslationOptions):
    fields = (
        "title", "summary", "description", "footnote", "organising_project", "presenters_note", "venue",
        "accessibility",
    )


@register(RegistrationQuestion)
class RegistrationQuestionTranslation(TranslationOptions):
    fields = ("label", "help_text", "choices")


@register(RegistrantMessage)
class RegistrantMessageTranslation(TranslationOptions):
    """Each registrant gets a message in their language, the other where theirs is empty."""

    fields = ("subject", "body", "absent_subject", "absent_body")

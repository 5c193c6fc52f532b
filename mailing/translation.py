"""Mailing-list names and descriptions in English and Slovenian (see ``network.translation``)."""

from modeltranslation.translator import TranslationOptions, register

from .models import MailingList


@register(MailingList)
class MailingListTranslation(TranslationOptions):
    fields = ("name", "description")

"""Mailing-list names and descriptions, and announcements' subjects and bodies, in English and
Slovenian (see ``network.translation``): each subscriber gets an announcement in their language."""

from modeltranslation.translator import TranslationOptions, register

from .models import Announcement, MailingList


@register(MailingList)
class MailingListTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Announcement)
class AnnouncementTranslation(TranslationOptions):
    fields = ("subject", "body")

"""Project texts in English and Slovenian (see ``network.translation``)."""

from modeltranslation.translator import TranslationOptions, register

from .models import ListingCriterion, Project, Topic


@register(Project)
class ProjectTranslation(TranslationOptions):
    fields = ("title", "summary", "description", "participation", "requirements", "audience", "how_to_take_part")


@register(Topic)
class TopicTranslation(TranslationOptions):
    fields = ("name",)


@register(ListingCriterion)
class ListingCriterionTranslation(TranslationOptions):
    fields = ("label", "help_text")

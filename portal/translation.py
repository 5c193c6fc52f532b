"""News texts in English and Slovenian (see ``network.translation``); the category too, so that
"Important" reads "Pomembno" once a coordinator has written it."""

from modeltranslation.translator import TranslationOptions, register

from .models import NewsItem


@register(NewsItem)
class NewsItemTranslation(TranslationOptions):
    fields = ("title", "category", "summary", "body")

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from core.admin_languages import BothLanguagesMixin, in_both_languages

from .models import NewsItem


@admin.register(NewsItem)
class NewsItemAdmin(BothLanguagesMixin, TranslationAdmin):
    """Title, category, summary and body in English and Slovenian side by side."""

    list_display = ["title", "category", "published_on", "is_published", "related_event"]
    list_filter = ["is_published", "category"]
    autocomplete_fields = ["related_event"]
    search_fields = in_both_languages("title", "summary", "body")
    prepopulated_fields = {"slug": ["title_en"]}
    date_hierarchy = "published_on"

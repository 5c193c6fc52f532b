from django.contrib import admin

from .models import NewsItem


@admin.register(NewsItem)
class NewsItemAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "published_on", "is_published", "related_event"]
    list_filter = ["is_published", "category"]
    autocomplete_fields = ["related_event"]
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_on"

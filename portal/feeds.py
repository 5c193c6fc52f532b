from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from core.markdown import render_markdown

from .models import NewsItem


class LatestNewsFeed(Feed):
    """Atom feed of the network's news (the twenty most recent items)."""

    feed_type = Atom1Feed
    title = _("Citizen Science Network — news")
    subtitle = _("News from the Citizen Science Network of Slovenian libraries and their partners.")
    link = reverse_lazy("portal:news_list")

    def items(self):
        return NewsItem.objects.published()[:20]

    def item_title(self, item: NewsItem) -> str:
        return item.title

    def item_description(self, item: NewsItem) -> str:
        return render_markdown(item.body)

    def item_pubdate(self, item: NewsItem):
        from datetime import datetime, time

        from django.utils import timezone

        return timezone.make_aware(datetime.combine(item.published_on, time(9, 0)))

    def item_categories(self, item: NewsItem) -> list[str]:
        return [item.category] if item.category else []

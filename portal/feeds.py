from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from core.markdown import render_markdown
from core.sites import absolute_url

from .models import NewsItem


class LatestNewsFeed(Feed):
    """Atom feed of the network's news (the twenty most recent items).

    Every link (the feed's, its ``self`` link, each entry's link and id) is absolute from
    ``SITE_URL``: Django's ``Feed`` would prefix relative ones with the Sites domain and the
    request's scheme (``X-Forwarded-Proto``), which a visitor can forge."""

    feed_type = Atom1Feed
    title = _("Citizen Science Network — news")
    subtitle = _("News from the Citizen Science Network of Slovenian libraries and their partners.")

    def link(self) -> str:
        return absolute_url(reverse("portal:news_list"))

    def feed_url(self) -> str:
        return absolute_url(reverse("portal:news_feed"))

    def items(self):
        return NewsItem.objects.published()[:20]

    def item_link(self, item: NewsItem) -> str:
        return absolute_url(item.get_absolute_url())

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

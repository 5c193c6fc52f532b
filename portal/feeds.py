from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, get_tag_uri, rfc3339_date
from django.utils.translation import gettext_lazy as _

from core.content import current_language, localised
from core.markdown import render_markdown
from core.sites import absolute_url

from .models import NewsItem


class LanguageTaggedAtom1Feed(Atom1Feed):
    """Atom whose entries say which language their texts are in where it is not the feed's:
    an entry's title, summary or category shown as a fallback (English in the Slovenian feed)
    carries ``xml:lang`` (RFC 4287 2: any element may). The entry's other elements are written
    as Django writes them (an entry here has no author, enclosure, rights or updated date)."""

    def add_item_elements(self, handler, item):
        languages = item["languages"]

        def attrs(name: str, **values: str) -> dict[str, str]:
            return {**values, "xml:lang": languages[name]} if languages.get(name) else values

        handler.addQuickElement("title", item["title"], attrs("title"))
        handler.addQuickElement("link", "", {"href": item["link"], "rel": "alternate"})
        if item["pubdate"] is not None:
            handler.addQuickElement("published", rfc3339_date(item["pubdate"]))
        handler.addQuickElement("id", item["unique_id"] or get_tag_uri(item["link"], item["pubdate"]))
        if item["description"] is not None:
            handler.addQuickElement("summary", item["description"], attrs("description", type="html"))
        for category in item["categories"]:
            handler.addQuickElement("category", "", attrs("category", term=category))


class LatestNewsFeed(Feed):
    """Atom feed of the network's news (the twenty most recent items), in the URL's language
    (``/news/feed/`` English, ``/sl/news/feed/`` Slovenian: ``xml:lang`` on the feed, and every
    link to the pages in that language); a text not written in it is the other language's,
    marked with its own ``xml:lang`` (``LanguageTaggedAtom1Feed``).

    Every link (the feed's, its ``self`` link, each entry's link and id) is absolute from
    ``SITE_URL``: Django's ``Feed`` would prefix relative ones with the Sites domain and the
    request's scheme (``X-Forwarded-Proto``), which a visitor can forge."""

    feed_type = LanguageTaggedAtom1Feed
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
        return localised(item, "title").value

    def item_description(self, item: NewsItem) -> str:
        return render_markdown(localised(item, "body").value)

    def item_pubdate(self, item: NewsItem):
        from datetime import datetime, time

        from django.utils import timezone

        return timezone.make_aware(datetime.combine(item.published_on, time(9, 0)))

    def item_categories(self, item: NewsItem) -> list[str]:
        category = localised(item, "category").value
        return [category] if category else []

    def item_extra_kwargs(self, item: NewsItem) -> dict[str, dict[str, str]]:
        """The language of each text that is not the feed's (``LanguageTaggedAtom1Feed``)."""
        feed_language = current_language()
        languages = {
            name: localised(item, field).language
            for name, field in (("title", "title"), ("description", "body"), ("category", "category"))
        }
        return {
            "languages": {name: language for name, language in languages.items() if language not in ("", feed_language)}
        }

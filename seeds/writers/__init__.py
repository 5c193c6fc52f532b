"""Writers: the Django step of the seeds loader (the parser in ``seeds.parser`` knows no Django).

``load_seeds`` parses each document, then calls, in order, every writer listed for its kind of
document. A writer is a function ``(parsed, *, source: str, report: Report) -> None`` named by
its dotted path (imported with ``django.utils.module_loading.import_string``); it writes through
``seeds.writers.base.upsert`` so that coordinators' edits survive a later import. All writers of
one document run in one transaction.

Order matters: the network writer creates the organisations and service modules that later
writers (the webinar, the news item) link to.
"""

# Writers for a ``ParsedPartnersPage``.
PARTNERS_PAGE_WRITERS: list[str] = [
    "seeds.writers.network.write_partners_page",
]

# Writers for a ``ParsedNewsItem``.
NEWS_ITEM_WRITERS: list[str] = [
    "seeds.writers.network.write_news_item_organisations",
    "seeds.writers.webinars.write_webinar",
    "seeds.writers.news.write_news_item",
]

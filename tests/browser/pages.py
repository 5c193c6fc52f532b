"""The public pages the browser tests crawl, found from the seeded database."""

from __future__ import annotations

from django.apps import apps


def _detail_urls(label: str, manager: str = "objects", limit: int = 3) -> list[str]:
    try:
        model = apps.get_model(label)
    except LookupError:
        return []
    queryset = getattr(model, manager).all()
    if hasattr(queryset, "published"):
        queryset = queryset.published()
    elif hasattr(queryset, "public"):
        queryset = queryset.public()
    return [obj.get_absolute_url() for obj in queryset[:limit] if hasattr(obj, "get_absolute_url")]


def public_paths() -> list[str]:
    from django.urls import NoReverseMatch, reverse
    from django.utils import translation

    names = [
        "portal:home",
        "portal:about",
        "portal:privacy",
        "portal:accessibility",
        "portal:news_list",
        "network:partner_list",
        "network:working_group_list",
        "network:service_list",
        "network:join",
        "events:event_list",
        "webinars:webinar_list",
        "projects:project_list",
        "projects:criteria",
        "infrastructure:resource_list",
        "portal:search",
        "mailing:signup",
        "account_login",
    ]
    paths = []
    with translation.override("en"):
        for name in names:
            try:
                paths.append(reverse(name))
            except NoReverseMatch:
                continue
        for label in ("network.Partner", "network.WorkingGroup", "network.ServiceModule", "events.Event",
                      "portal.NewsItem", "projects.Project", "infrastructure.Resource"):
            paths.extend(_detail_urls(label))
        webinar_urls = _detail_urls("webinars.Webinar")
        paths.extend(webinar_urls)
    paths.append("/this-page-does-not-exist/")
    return list(dict.fromkeys(paths))

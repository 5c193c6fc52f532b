from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from core.content import current_language, localised, marked
from core.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    """``{{ partner.description|markdown }}``: Markdown rendered and sanitised with nh3."""
    return render_markdown(text)


@register.filter(name="web_url")
def web_url_filter(url: str) -> str:
    """``{{ partner.website|web_url }}``: the URL if it is http(s), else "" — a stored
    ``javascript:`` or ``data:`` value (imported, or written past the forms) is never a link."""
    value = (url or "").strip()
    return value if value.lower().startswith(("https://", "http://")) else ""


@register.simple_tag(takes_context=True)
def url_in_language(context, language: str) -> str:
    """``{% url_in_language "sl" %}``: the current page in another language."""
    from core.language import url_in_language as translate

    request = context.get("request")
    return translate(request.get_full_path() if request else "/", language)


@register.simple_tag
def content(obj, field: str, markdown: bool = False) -> SafeString:
    """``{% content partner "name" %}``: a record's text in the active language, or else in the
    other one inside ``<span lang="…">`` (WCAG 3.1.2). With ``markdown=True`` the text is rendered
    as Markdown, and a fallback is wrapped in ``<div lang="…">``. ``{% content … as name %}``
    keeps it for a ``blocktranslate``."""
    return marked(obj, field, markdown=markdown)


@register.simple_tag
def content_lang(obj, field: str) -> SafeString:
    """`` lang="en"`` for an element whose text is ``obj.<field>`` shown as a fallback, else "":
    ``<h2{% content_lang event "title" %}>{{ event.title }}</h2>`` where a span would not do
    (an attribute, a link whose whole text is the value)."""
    value, language = localised(obj, field)
    if language in ("", current_language()):
        return SafeString("")
    return format_html(' lang="{}"', language)

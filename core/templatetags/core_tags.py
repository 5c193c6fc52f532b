from django import template
from django.utils.safestring import SafeString

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

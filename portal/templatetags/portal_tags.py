from django import template
from django.utils.safestring import SafeString

from portal.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    """``{{ partner.description|markdown }}``: Markdown rendered and sanitised with nh3."""
    return render_markdown(text)

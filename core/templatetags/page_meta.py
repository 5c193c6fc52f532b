"""Tags for the head of every page (``templates/base.html``): a block's output captured once and
used again (the page title in ``<title>``, ``og:title`` and the default description), the page's
absolute URL from ``SITE_URL`` and its Open Graph locale."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.utils import translation
from django.utils.encoding import iri_to_uri
from django.utils.safestring import mark_safe

from core.sites import absolute_url

register = template.Library()

# Open Graph wants a territory with the language.
OG_LOCALES = {"en": "en_GB", "sl": "sl_SI"}


class CaptureNode(template.Node):
    child_nodelists = ("nodelist",)  # so {% extends %} finds the {% block %}s inside

    def __init__(self, nodelist: template.NodeList, name: str) -> None:
        self.nodelist = nodelist
        self.name = name

    def render(self, context: template.Context) -> str:
        context[self.name] = mark_safe(self.nodelist.render(context).strip())  # rendered, so escaped
        return ""


@register.tag
def capture(parser: template.base.Parser, token: template.base.Token) -> CaptureNode:
    """``{% capture as name %}…{% endcapture %}``: render the contents (blocks included) into
    the variable ``name`` instead of the output."""
    bits = token.split_contents()
    if len(bits) != 3 or bits[1] != "as":
        raise template.TemplateSyntaxError("Usage: {% capture as name %}…{% endcapture %}")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[2])


@register.simple_tag(takes_context=True)
def page_url(context: template.Context) -> str:
    """This page's absolute URL without its query string, built on ``SITE_URL`` (never on the
    request's ``Host``, which whoever sends the request chooses). Nothing for a private page
    (``request.private_page``, or ``private_page`` in the context): its URL may hold a secret,
    such as a signed link, that must not be repeated in the page's metadata."""
    request = context.get("request")
    if context.get("private_page") or getattr(request, "private_page", False):
        return ""
    return absolute_url(iri_to_uri(request.path) if request is not None else "/")


@register.simple_tag
def og_locale(language: str | None = None) -> str:
    """The Open Graph locale of ``language`` (the active one by default): "en_GB", "sl_SI"."""
    code = language or translation.get_language() or "en"
    return OG_LOCALES.get(code, code.replace("-", "_"))


@register.simple_tag
def og_alternate_locales() -> list[str]:
    """The Open Graph locales of the site's other languages."""
    current = translation.get_language()
    return [og_locale(code) for code, _name in settings.LANGUAGES if code != current]


@register.filter(is_safe=True)
def one_line(value: str) -> str:
    """Whitespace collapsed to single spaces (a captured block's text for an attribute); safe
    stays safe, anything else is escaped as usual."""
    return " ".join(str(value).split())

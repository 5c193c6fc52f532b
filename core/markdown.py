"""Markdown for text coordinators and applicants write: rendered with Python-Markdown, then
sanitised with nh3 to a small allow-list (no scripts, no styles, no event handlers, safe links);
and the same source as plain text for the text part of an email (``render_plain_text``)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html import unescape
from html.parser import HTMLParser

import markdown as md
import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown.treeprocessors import Treeprocessor

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "blockquote", "code", "pre",
    "h2", "h3", "h4", "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def sanitise_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def render_markdown(text: str) -> SafeString:
    """Markdown to safe HTML. Raw HTML in the source is escaped or stripped, never trusted."""
    html = md.markdown(text or "", extensions=["sane_lists"], output_format="html")
    return mark_safe(sanitise_html(html))  # noqa: S308 — sanitised by nh3 just above


# ----------------------------------------------------------------------------------------
# Markdown to plain text (the text part of an email)
# ----------------------------------------------------------------------------------------

# Python-Markdown's placeholders: raw HTML and entities kept aside ("\x02wzxhzdk:3\x03"), and
# the ampersand of an obfuscated e-mail address.
_STASH_PLACEHOLDER = re.compile("\x02wzxhzdk:(\\d+)\x03")
_AMP_SUBSTITUTE = "\x02amp\x03"
_BLOCKS = {"p", "ul", "ol", "blockquote", "pre", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "div", "table"}
_SKIPPED_HTML = {"script", "style", "template"}


class _CaptureTree(Treeprocessor):
    """Keeps the finished parse tree (registered after inline parsing and unescaping)."""

    def run(self, root: ET.Element) -> None:
        self.md.plain_text_tree = root  # type: ignore[attr-defined]


class _TextOfHtml(HTMLParser):
    """The text of a fragment of raw HTML written in Markdown (tags dropped, scripts with them)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.skipping += tag in _SKIPPED_HTML

    def handle_endtag(self, tag: str) -> None:
        self.skipping -= tag in _SKIPPED_HTML and self.skipping > 0

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def _text_of_html(fragment: str) -> str:
    parser = _TextOfHtml()
    parser.feed(fragment)
    parser.close()
    return "".join(parser.parts)


class _PlainText:
    """Walks Python-Markdown's element tree and writes the text a reader of a plain-text email
    expects: paragraphs apart, "- item" and "1. item", "text (https://…)" for a link."""

    def __init__(self, stash: list[str]) -> None:
        self.stash = stash

    def text(self, value: str | None) -> str:
        if not value:
            return ""
        value = _STASH_PLACEHOLDER.sub(lambda m: _text_of_html(self.stash[int(m.group(1))]), value)
        return unescape(value.replace(_AMP_SUBSTITUTE, "&"))

    def inline(self, element: ET.Element) -> str:
        """The text of an element's content, its inline children included (blocks inside it too)."""
        parts = [self.text(element.text)]
        for child in element:
            if element.tag == "li" and child.tag in ("ul", "ol"):
                parts.append("\n" + self.block(child) + "\n")  # a nested list right under its item
            else:
                parts.append(self.node(child))
            tail = self.text(child.tail)
            parts.append(tail.removeprefix("\n") if child.tag == "br" else tail)
        return "".join(parts)

    def node(self, element: ET.Element) -> str:
        tag = element.tag
        if tag in _BLOCKS or tag == "li":
            return "\n\n" + self.block(element) + "\n\n"
        if tag == "br":
            return "\n"
        if tag == "img":
            return element.get("alt", "")
        if tag == "a":
            return self.link(element)
        return self.inline(element)

    def link(self, element: ET.Element) -> str:
        label = self.inline(element).strip()
        href = self.text(element.get("href", "")).strip()
        address = href.removeprefix("mailto:")
        if not href.lower().startswith(("http://", "https://", "mailto:")) or address == label:
            return label or address
        return f"{label} ({address})" if label else address

    def block(self, element: ET.Element) -> str:
        tag = element.tag
        if tag in ("ul", "ol"):
            start = int(element.get("start", "1") or 1)
            items = [child for child in element if child.tag == "li"]
            return "\n".join(
                _hang(f"{start + n}. " if tag == "ol" else "- ", self.inline(item)) for n, item in enumerate(items)
            )
        if tag == "blockquote":
            return "\n".join(f"> {line}".rstrip() for line in _tidy(self.inline(element)).split("\n"))
        if tag == "pre":
            return "\n".join(f"    {line}".rstrip() for line in self.inline(element).rstrip("\n").split("\n"))
        if tag == "hr":
            return "* * *"
        return _tidy(self.inline(element))


def _tidy(text: str) -> str:
    """No blank space at line ends, at most one empty line in a row, none at the ends."""
    lines = [line.rstrip() for line in text.strip("\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


def _hang(marker: str, text: str) -> str:
    """A list item: the marker, then its text with later lines indented under the first."""
    lines = _tidy(text).split("\n")
    indent = " " * len(marker)
    return marker + lines[0].strip() + "".join(f"\n{indent}{line}" if line else "\n" for line in lines[1:])


def render_plain_text(text: str) -> str:
    """Markdown to the plain text of an email: no ``**bold**`` or ``# heading`` marks left,
    ``[label](https://…)`` as ``label (https://…)``, lists as ``- item`` / ``1. item``, quotes
    as ``> line``, code blocks indented, paragraphs apart, raw HTML reduced to its text.

    Built on Python-Markdown's own parse tree (the same parser as ``render_markdown``, so both
    parts of an email read the source alike) rather than on regular expressions over the
    source; only the walk over the tree is ours. Line breaks the author typed are kept."""
    converter = md.Markdown(extensions=["sane_lists"], output_format="html")
    converter.treeprocessors.register(_CaptureTree(converter), "plain_text_capture", -100)
    converter.convert(text or "")
    root = getattr(converter, "plain_text_tree", None)
    if root is None:
        return ""
    return _tidy(_PlainText(converter.htmlStash.rawHtmlBlocks).inline(root)) + ("\n" if len(root) else "")

"""The language of a text in a page: the nearest ``lang`` around each text node (WCAG 3.1.2).
Shared by the crawl in ``tests/test_content_language.py`` and the directory's tests."""

from __future__ import annotations

from html.parser import HTMLParser

# Text a page cannot mark with a lang of its own (the document title) or does not render.
UNMARKABLE = {"title", "script", "style", "template"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class TextLanguages(HTMLParser):
    """``found``: (nearest lang or "", the last three enclosing tags, the text) for every rendered
    text node containing ``needle``."""

    def __init__(self, needle: str) -> None:
        super().__init__(convert_charrefs=True)
        self.needle = needle
        self.stack: list[tuple[str, str | None]] = []
        self.found: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append((tag, dict(attrs).get("lang")))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        if self.needle not in data or any(tag in UNMARKABLE for tag, _ in self.stack):
            return
        lang = next((lang for _, lang in reversed(self.stack) if lang), "")
        path = ">".join(tag for tag, _ in self.stack[-3:])
        self.found.append((lang, path, " ".join(data.split())[:80]))

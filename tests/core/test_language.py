"""core.language: the same page in the other language."""

from __future__ import annotations

from core.language import url_in_language


def test_language_link_on_a_404_page_keeps_the_path():
    assert url_in_language("/no-such-page/?a=1", "sl") == "/sl/no-such-page/?a=1"
    assert url_in_language("/sl/no-such-page/", "en") == "/no-such-page/"

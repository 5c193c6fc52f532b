import re

import pytest

from mailing.models import MailingList


@pytest.fixture
def news_list(db) -> MailingList:
    return MailingList.objects.get(slug="network-news")


@pytest.fixture
def partners_list(db) -> MailingList:
    return MailingList.objects.get(slug="partners-information-exchange")


def link_path(body: str, kind: str) -> str:
    """The path of the first /mailing-list/<kind>/<token>/ link in an email body."""
    match = re.search(r"http://testserver(/(?:sl/)?mailing-list/" + kind + r"/[^/\s]+/)", body)
    assert match, body
    return match.group(1)

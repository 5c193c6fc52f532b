"""Announcements in each subscriber's language: the Slovenian subject and body for those who
signed up in Slovenian, the English ones for the others, and where one language is missing the
other, marked with its own lang in the HTML part."""

import pytest
from django.utils import translation

from mailing import services
from outbox.models import OutgoingEmail

from .factories import AnnouncementFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


def send(announcement) -> dict[str, OutgoingEmail]:
    chain = services.start_sending(announcement_id=announcement.pk)
    with translation.override("en"):  # a worker's language decides nothing
        services.send_announcement_batch(announcement_id=announcement.pk, chain=chain)
    return {email.to: email for email in OutgoingEmail.objects.filter(group=announcement.outbox_group)}


def test_each_subscriber_reads_the_announcement_in_their_language(news_list):
    ana = SubscriptionFactory(mailing_list=news_list, language="sl")
    bob = SubscriptionFactory(mailing_list=news_list, language="en")
    announcement = AnnouncementFactory(
        mailing_list=news_list, subject_en="Webinar in May", body_en="Join **us** on 5 May.",
        subject_sl="Spletni seminar maja", body_sl="Pridružite se **nam** 5. maja.",
    )
    emails = send(announcement)
    slovenian, english = emails[ana.email], emails[bob.email]
    assert slovenian.subject == "Spletni seminar maja" and slovenian.language == "sl"
    assert "<strong>nam</strong>" in slovenian.body_html and "Join" not in slovenian.body_html
    assert "Pridružite se nam 5. maja." in slovenian.body_text  # Markdown as plain text
    assert english.subject == "Webinar in May" and "<strong>us</strong>" in english.body_html
    assert "Pridružite" not in english.body_html + english.body_text


def test_an_announcement_written_in_english_only_is_marked_english_for_slovenian_readers(news_list):
    ana = SubscriptionFactory(mailing_list=news_list, language="sl")
    announcement = AnnouncementFactory(mailing_list=news_list, subject_en="Webinar in May", body_en="Join us.",
                                       subject_sl=None, body_sl=None)
    email = send(announcement)[ana.email]
    assert email.subject == "Webinar in May"
    assert '<div lang="en"><p>Join us.</p></div>' in email.body_html
    assert '<html lang="sl">' in email.body_html


def test_coordinators_write_both_languages_in_the_admin_and_preview_each(network_coordinator_client, news_list):
    from django.urls import reverse

    from mailing.models import Announcement

    add = network_coordinator_client.get(reverse("admin:mailing_announcement_add")).content.decode()
    assert 'name="subject_sl"' in add and 'name="body_sl"' in add and 'lang="sl"' in add
    response = network_coordinator_client.post(reverse("admin:mailing_announcement_add"), {
        "mailing_list": news_list.pk, "subject_en": "Webinar in May", "body_en": "Join **us**.",
        "subject_sl": "Spletni seminar maja", "body_sl": "Pridružite se **nam**.",
    })
    assert response.status_code == 302
    announcement = Announcement.objects.get()
    assert (announcement.subject_en, announcement.subject_sl) == ("Webinar in May", "Spletni seminar maja")
    html = network_coordinator_client.get(reverse("admin:mailing_announcement_change", args=[announcement.pk])).content.decode()
    assert '<div class="announcement-preview" lang="sl"><h2>Spletni seminar maja</h2><p>Pridružite se <strong>nam</strong>.</p></div>' in html
    assert '<div class="announcement-preview" lang="en"><h2>Webinar in May</h2>' in html

"""The coordinators' admin: subscriber counts, CSV export, the approval queue, announcements."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from mailing.models import Announcement, Subscription
from outbox.models import OutgoingEmail

from .factories import AnnouncementFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


def test_list_page_shows_counts_per_status(network_coordinator_client, news_list):
    SubscriptionFactory.create_batch(3, mailing_list=news_list)
    SubscriptionFactory(mailing_list=news_list, status="unsubscribed")
    response = network_coordinator_client.get(reverse("admin:mailing_mailinglist_changelist"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "status__exact=active\">3</a>" in html.replace("&amp;", "&")
    assert "status__exact=unsubscribed\">1</a>" in html.replace("&amp;", "&")


def test_csv_export(network_coordinator_client, news_list):
    SubscriptionFactory(mailing_list=news_list, email="a@example.org")
    SubscriptionFactory(mailing_list=news_list, email="=cmd@example.org")
    response = network_coordinator_client.post(
        reverse("admin:mailing_subscription_changelist"),
        {"action": "export_csv", "_selected_action": list(Subscription.objects.values_list("pk", flat=True))},
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["list", "email", "status"]
    emails = sorted(r[1] for r in rows[1:])
    assert emails == ["'=cmd@example.org", "a@example.org"]


def test_approval_queue_lists_only_waiting_requests_and_approves(network_coordinator_client, partners_list, news_list):
    waiting = SubscriptionFactory(mailing_list=partners_list, status="awaiting_approval", email="wait@example.org")
    SubscriptionFactory(mailing_list=news_list, status="active", email="other@example.org")
    url = reverse("admin:mailing_approvalrequest_changelist")
    html = network_coordinator_client.get(url).content.decode()
    assert "wait@example.org" in html and "other@example.org" not in html
    network_coordinator_client.post(url, {"action": "approve", "_selected_action": [waiting.pk]})
    waiting.refresh_from_db()
    assert waiting.status == "active"


def test_announcement_preview_send_and_progress(network_coordinator_client, news_list, django_capture_on_commit_callbacks):
    SubscriptionFactory.create_batch(3, mailing_list=news_list)
    announcement = AnnouncementFactory(mailing_list=news_list, body="Hello <script>x</script> **bold**")
    change_url = reverse("admin:mailing_announcement_change", args=[announcement.pk])
    html = network_coordinator_client.get(change_url).content.decode()
    assert "<strong>bold</strong>" in html and "<script>x</script>" not in html
    assert "Send to the list" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = network_coordinator_client.post(reverse("admin:mailing_announcement_send", args=[announcement.pk]))
    assert response.status_code == 302
    announcement.refresh_from_db()
    assert announcement.status == Announcement.Status.SENT
    assert OutgoingEmail.objects.filter(status="sent").count() == 3
    listing = network_coordinator_client.get(reverse("admin:mailing_announcement_changelist")).content.decode()
    assert "3 sent of 3" in listing
    # Sending again does nothing.
    with django_capture_on_commit_callbacks(execute=True):
        network_coordinator_client.post(reverse("admin:mailing_announcement_send", args=[announcement.pk]))
    assert OutgoingEmail.objects.count() == 3


def test_send_view_refuses_get(network_coordinator_client, news_list):
    announcement = AnnouncementFactory(mailing_list=news_list)
    assert network_coordinator_client.get(reverse("admin:mailing_announcement_send", args=[announcement.pk])).status_code == 405
    announcement.refresh_from_db()
    assert announcement.status == "draft"


def test_announcement_changelist_query_count_does_not_grow_with_rows(network_coordinator_client, news_list, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def sent_announcements(n: int) -> None:
        for _ in range(n):
            announcement = AnnouncementFactory(mailing_list=news_list, status=Announcement.Status.SENT, total_recipients=2)
            for i in range(2):
                OutgoingEmail.objects.create(
                    to=f"p{i}@example.org", subject="s", body_text="b", status="sent", sent_at=timezone.now(),
                    idempotency_key=announcement.idempotency_key(i), group=announcement.outbox_group,
                )

    url = reverse("admin:mailing_announcement_changelist")
    sent_announcements(2)
    with CaptureQueriesContext(connection) as baseline:
        network_coordinator_client.get(url)
    sent_announcements(10)
    with django_assert_max_num_queries(len(baseline)):
        html = network_coordinator_client.get(url).content.decode()
    assert html.count("2 sent of 2") == 12

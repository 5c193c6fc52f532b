"""The participant's journey in the test client (issue 12, items 1, 2 and 6): register → the
result page names the date and "confirmed" → the email carries the own page's link → the own
page shows the join link → switch date (a new email with one invitation: METHOD:REQUEST, the
registration's own UID, a higher SEQUENCE, the new time) → cancel (with a confirmation step;
METHOD:CANCEL for the same UID) → the seat goes to the first on the waiting list. Plus the repeat submission, "send it again", the waiting-list position, a
broken link's page and the private headers."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar

from events import services
from events.models import Registration
from outbox.models import OutgoingEmail
from tests.events.factories import (
    SECRET_PASSCODE,
    SECRET_URL,
    EventFactory,
    MeetingFactory,
    RegistrationFactory,
    SessionFactory,
    WebinarFactory,
)

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s\"<>]*/events/registration/[^/\s\"<>]+/")


@pytest.fixture(autouse=True)
def _limits_on(settings):
    settings.RATELIMIT_ENABLED = True


def _register(client, session, *, email="ana@example.org", prefix="", **extra):
    data = {"session": session.pk, "name": "Ana Novak", "email": email, "affiliation": "UL", "consent": "on", **extra}
    with translation.override("en"):
        path = session.event.get_absolute_url()
    return client.post(prefix + path, data)


def _emails(to="ana@example.org"):
    return list(OutgoingEmail.objects.filter(to=to).order_by("pk"))


def _own_page_link(email: OutgoingEmail) -> str:
    (link,) = set(LINK.findall(email.body_text))
    return re.sub(r"^https?://[^/]+", "", link)


def _calendars(email: OutgoingEmail) -> dict[str, Calendar]:
    return {a["filename"]: Calendar.from_ical(a["content"]) for a in email.attachments}


def _private(response, *, secret_in_url: bool = True) -> None:
    """A page for one person. A page whose URL holds the signed link sends no referrer at all;
    the result page (nothing secret in its URL) may send same-origin referrers."""
    assert response["Cache-Control"] == "private, no-store"
    allowed = {"no-referrer"} if secret_in_url else {"no-referrer", "same-origin"}
    assert response["Referrer-Policy"] in allowed
    assert '<meta name="robots" content="noindex">' in response.content.decode()


@pytest.fixture
def webinar_dates():
    webinar = WebinarFactory()
    start = (timezone.now() + timedelta(days=10)).replace(second=0, microsecond=0)
    first = SessionFactory(event=webinar.event, capacity=1, start=start)
    second = SessionFactory(event=webinar.event, capacity=5, start=start + timedelta(days=7))
    MeetingFactory(session=first)
    MeetingFactory(session=second, join_url="https://zoom.example/j/111222333?pwd=OTHER")
    return webinar, first, second


def test_the_whole_journey(client, webinar_dates, django_capture_on_commit_callbacks):
    webinar, first, second = webinar_dates
    # Register: the result page (POST-redirect-GET, nothing personal in its URL) says confirmed and names the date.
    with django_capture_on_commit_callbacks(execute=True):
        response = _register(client, first)
    assert response.status_code == 302
    assert response["Location"] == reverse("events:registered", kwargs={"slug": webinar.event.slug})
    result = client.get(response["Location"])
    _private(result, secret_in_url=False)
    html = result.content.decode()
    assert "You are registered" in html and "is confirmed" in html
    assert first.local_start().strftime("%-d %B %Y") in html
    assert SECRET_URL not in html and SECRET_PASSCODE not in html
    registration = Registration.objects.get()
    assert links_to_own_page(html, registration)  # the link to the own page

    # Someone else registers and waits for the only seat.
    with django_capture_on_commit_callbacks(execute=True):
        _register(client, first, email="ben@example.org")
    waiting = Registration.objects.get(email="ben@example.org")
    assert waiting.status == Registration.Status.WAITLISTED
    assert "you are 1st on the waiting list" in client.get(response["Location"]).content.decode()

    # The email carries the own page's link; the own page shows the join link and passcode.
    (confirmation,) = _emails()
    (first_entry,) = _calendars(confirmation)["invite.ics"].walk("VEVENT")
    assert str(first_entry["UID"]) == registration.calendar_uid != first.calendar_uid
    own_page = _own_page_link(confirmation)
    page = client.get(own_page)
    _private(page)
    assert SECRET_URL.replace("&", "&amp;") in page.content.decode() and SECRET_PASSCODE in page.content.decode()
    ics = client.get(reverse("events:registration_calendar", kwargs={"token": services.manage_token(registration)}))
    assert ics["Content-Type"].startswith("text/calendar") and ics["Cache-Control"] == "private, no-store"
    (vevent,) = Calendar.from_ical(ics.content).walk("VEVENT")
    assert str(vevent["URL"]) == SECRET_URL and SECRET_URL in str(vevent["LOCATION"])
    assert SECRET_PASSCODE in str(vevent["DESCRIPTION"])

    # Switch to the second date: one new email with one invitation updating the same entry.
    with django_capture_on_commit_callbacks(execute=True):
        switched = client.post(own_page, {"action": "switch", "session": second.pk})
    assert switched.status_code == 302 and switched["Location"] == own_page
    registration.refresh_from_db()
    assert registration.session_id == second.pk and registration.status == Registration.Status.CONFIRMED
    switch_email = _emails()[-1]
    calendars = _calendars(switch_email)
    assert list(calendars) == ["invite.ics"], "one invitation, no separate cancellation"
    assert str(calendars["invite.ics"]["METHOD"]) == "REQUEST"
    (new_vevent,) = calendars["invite.ics"].walk("VEVENT")
    assert str(new_vevent["UID"]) == str(first_entry["UID"]) and "111222333" in str(new_vevent["URL"])
    assert int(new_vevent["SEQUENCE"]) > int(first_entry["SEQUENCE"])
    assert new_vevent.decoded("DTSTART") == second.start
    assert SECRET_URL not in str(calendars["invite.ics"].to_ical())
    new_token = _own_page_link(switch_email).split("/")[-2]
    assert services.registration_for_token(new_token) == registration, "one registration, one page"
    # The seat given up on the first date went to the first on its waiting list.
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED
    assert "111222333" in client.get(own_page).content.decode()

    # Cancel, with a confirmation step: GET asks, POST cancels.
    cancel_url = reverse("events:cancel_registration", kwargs={"token": services.manage_token(registration)})
    ask = client.get(cancel_url)
    _private(ask)
    assert "Yes, cancel my registration" in ask.content.decode()
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(cancel_url)
    assert done.status_code == 302
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    after = client.get(own_page).content.decode()
    assert "This registration is cancelled." in after and "111222333" not in after
    cancelled = _calendars(_emails()[-1])["invite.ics"]
    (cancelled_entry,) = cancelled.walk("VEVENT")
    assert str(cancelled["METHOD"]) == "CANCEL" and str(cancelled_entry["UID"]) == str(first_entry["UID"])
    assert int(cancelled_entry["SEQUENCE"]) > int(new_vevent["SEQUENCE"])


def test_the_seat_given_up_by_cancelling_goes_to_the_first_waiting(client, django_capture_on_commit_callbacks):
    session = SessionFactory(capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        _register(client, session)
        for name in ("ben", "cene"):
            _register(client, session, email=f"{name}@example.org")
    registration = Registration.objects.get(email="ana@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("events:cancel_registration", kwargs={"token": services.manage_token(registration)}))
    statuses = dict(Registration.objects.values_list("email", "status"))
    assert statuses == {"ana@example.org": "cancelled", "ben@example.org": "confirmed", "cene@example.org": "waitlisted"}
    assert _emails("ben@example.org")[-1].subject.startswith("A seat is yours")


def test_the_waiting_list_position_is_named_in_both_languages(client):
    session = SessionFactory(capacity=0)
    for _ in range(2):
        RegistrationFactory(session=session, status=Registration.Status.WAITLISTED, confirmed_at=None)
    response = _register(client, session, prefix="/sl")
    assert response["Location"].startswith("/sl/")
    page = client.get(response["Location"]).content.decode()
    assert '<html lang="sl">' in page and re.search(r"\b3(\.|rd) ", page)  # "3." once the catalogue has it
    page = client.get(f"/events/{session.event.slug}/registered/")
    assert "you are 3rd on the waiting list" in page.content.decode()


def test_a_repeat_says_so_plainly_and_offers_send_it_again(client, django_capture_on_commit_callbacks):
    session = SessionFactory(capacity=5)
    with django_capture_on_commit_callbacks(execute=True):
        _register(client, session)
    registration = Registration.objects.get()
    stranger = client.__class__()
    with django_capture_on_commit_callbacks(execute=True):
        response = _register(stranger, session, email="ANA@example.org")
    page = stranger.get(response["Location"])
    html = page.content.decode()
    _private(page, secret_in_url=False)
    assert "You are already registered" in html and "already registered for this date" in html
    assert "Its confirmation was last sent on" in html
    # The repeat is not proof of the mailbox: no link to the registration, no status.
    assert not links_to_own_page(html, registration) and "confirmed" not in html.lower().split("<main")[1]
    assert len(_emails()) == 1
    assert "cannot be sent again yet" in html, "within the 5-minute interval"
    with time_machine.travel(timezone.now() + services.RESEND_INTERVAL + timedelta(seconds=5)):
        page = stranger.get(response["Location"])
        assert "Send the email again" in page.content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            again = stranger.post(response["Location"], {"action": "resend"})
        assert again.status_code == 302
        assert "We have sent the email again" in stranger.get(again["Location"]).content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            stranger.post(response["Location"], {"action": "resend"})  # at most once per interval
    emails = _emails()
    assert len(emails) == 2 and emails[1].to == "ana@example.org"
    links = [_own_page_link(email).split("/")[-2] for email in emails]
    assert [services.registration_for_token(link) for link in links] == [registration, registration]


def test_send_it_again_is_rate_limited(client, settings):
    session = SessionFactory(capacity=5)
    _register(client, session)
    url = reverse("events:registered", kwargs={"slug": session.event.slug})
    codes = [client.post(url, {"action": "resend"}).status_code for _ in range(11)]
    assert codes[:10] == [302] * 10 and codes[10] == 429


def test_a_double_submit_from_the_same_browser_keeps_its_link(client):
    session = SessionFactory(capacity=5)
    _register(client, session)
    response = _register(client, session)
    html = client.get(response["Location"]).content.decode()
    assert "You are registered" in html and links_to_own_page(html, Registration.objects.get())


def test_the_result_page_without_a_registration_in_the_session(client):
    session = SessionFactory()
    page = client.get(reverse("events:registered", kwargs={"slug": session.event.slug}))
    assert page.status_code == 200 and "We could not find a registration made in this browser" in page.content.decode()
    _private(page, secret_in_url=False)


def test_a_full_session_without_a_waiting_list_answers_the_same_for_everyone(client):
    session = SessionFactory(capacity=1, has_waiting_list=False)
    RegistrationFactory(session=session, email="ana@example.org", confirmation_sent_at=timezone.now() - timedelta(hours=1))
    known = _register(client, session, email="ana@example.org")
    unknown = _register(client, session, email="zala@example.org")
    assert known.status_code == unknown.status_code == 200

    def visible(response, address):
        body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
        return body.replace(address, "ADDRESS")

    assert visible(known, "ana@example.org") == visible(unknown, "zala@example.org")
    assert "This session is full." in known.content.decode()


def test_answers_and_the_time_zone_are_stored():
    session = SessionFactory()
    result = services.register(session=session, name="Ana", email="a@example.org", consent_text="ok",
                               answers={"1": "step-free access"}, time_zone="Europe/Riga")
    assert result.registration.answers == {"1": "step-free access"} and result.registration.time_zone == "Europe/Riga"
    bad = services.register(session=session, name="Ben", email="b@example.org", consent_text="ok", time_zone="Mars/Base")
    assert bad.registration.time_zone == ""


@pytest.mark.parametrize("prefix", ["", "/sl"])
@pytest.mark.parametrize("token", ["nope", "tampered"])
def test_a_broken_link_gets_a_helpful_page_in_the_visitors_language(client, prefix, token):
    registration = RegistrationFactory()
    if token == "tampered":
        good = services.manage_token(registration)
        token = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    for name in ("manage_registration", "cancel_registration", "registration_calendar"):
        with translation.override("en"):
            path = reverse(f"events:{name}", kwargs={"token": token})
        response = client.get(prefix + path)
        assert response.status_code == 404
        _private(response)
        html = response.content.decode()
        assert ('lang="sl"' if prefix else 'lang="en"') in html
        assert ("Ta povezava ne deluje" if prefix else "This link does not work") in html
        assert 'name="email"' in html and f'action="{prefix}/events/registration/link/"' in html
        assert html.count("<h1") == 1


def test_asking_for_the_link_answers_the_same_whether_or_not_the_address_is_registered(
    client, django_capture_on_commit_callbacks
):
    registration = RegistrationFactory(email="ana@example.org", confirmation_sent_at=None)
    url = reverse("events:request_link")
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(url, {"email": "Ana@Example.org"})
        unknown = client.post(url, {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302 and known["Location"] == unknown["Location"] == url
    (email,) = _emails()
    assert links_to_own_page(email.body_text, registration)
    assert client.post(url, {"email": "not an address"}).status_code == 200


def test_asking_for_the_link_is_rate_limited(client):
    url = reverse("events:request_link")
    codes = [client.post(url, {"email": f"p{n}@example.org"}).status_code for n in range(11)]
    assert codes[:10] == [302] * 10 and codes[10] == 429
    other = client.__class__(REMOTE_ADDR="192.0.2.50")
    codes = [other.post(url, {"email": "same@example.org"}).status_code for _ in range(4)]
    assert codes == [302, 302, 302, 429]


def test_send_my_link_again_from_the_own_page(client, django_capture_on_commit_callbacks):
    registration = RegistrationFactory(confirmation_sent_at=timezone.now() - timedelta(hours=2))
    url = reverse("events:manage_registration", kwargs={"token": services.manage_token(registration)})
    assert "Send my link again" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "resend"})
    assert response.status_code == 302
    (email,) = _emails(registration.email)
    assert links_to_own_page(email.body_text, registration)


def test_switching_to_a_full_date_asks_first_and_keeps_the_seat_until_then(client, django_capture_on_commit_callbacks):
    event = EventFactory()
    mine = SessionFactory(event=event, capacity=1)
    full = SessionFactory(event=event, capacity=1, start=mine.start + timedelta(days=1))
    registration = RegistrationFactory(session=mine)
    RegistrationFactory(session=full)
    waiting = RegistrationFactory(session=mine, status=Registration.Status.WAITLISTED, confirmed_at=None)
    url = reverse("events:manage_registration", kwargs={"token": services.manage_token(registration)})
    asked = client.post(url, {"action": "switch", "session": full.pk})
    assert asked.status_code == 200 and "Yes, put me on its waiting list" in asked.content.decode()
    registration.refresh_from_db()
    assert registration.session_id == mine.pk and registration.status == Registration.Status.CONFIRMED
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "switch", "session": full.pk, "accept_waiting_list": "yes"})
    registration.refresh_from_db()
    waiting.refresh_from_db()
    assert registration.session_id == full.pk and registration.status == Registration.Status.WAITLISTED
    assert waiting.status == Registration.Status.CONFIRMED
    email = _emails(registration.email)[-1]
    (entry,) = _calendars(email)["invite.ics"].walk("VEVENT")
    assert len(email.attachments) == 1, "no invitation while waiting"
    assert str(_calendars(email)["invite.ics"]["METHOD"]) == "CANCEL", "the seat given up leaves the calendar"
    assert str(entry["UID"]) == registration.calendar_uid and int(entry["SEQUENCE"]) == registration.calendar_sequence


def test_switching_refuses_a_full_date_without_a_waiting_list_and_foreign_sessions(client):
    event = EventFactory()
    mine = SessionFactory(event=event)
    full = SessionFactory(event=event, capacity=0, has_waiting_list=False, start=mine.start + timedelta(days=1))
    elsewhere = SessionFactory()
    registration = RegistrationFactory(session=mine)
    url = reverse("events:manage_registration", kwargs={"token": services.manage_token(registration)})
    for target in (full.pk, elsewhere.pk, "x" * 50, 2**70):
        response = client.post(url, {"action": "switch", "session": target})
        assert response.status_code == 200
    registration.refresh_from_db()
    assert registration.session_id == mine.pk
    with pytest.raises(services.RegistrationError) as info:
        services.switch_registration(registration=registration, session=full)
    assert info.value.code == "full"
    with pytest.raises(services.RegistrationError):
        services.switch_registration(registration=registration, session=elsewhere)


def test_switching_counts_against_the_clients_allowance_on_the_new_date():
    event = EventFactory()
    a = SessionFactory(event=event, capacity=50)
    b = SessionFactory(event=event, capacity=50, start=a.start + timedelta(days=1))
    client = "198.51.100.7"
    for n in range(3):
        services.register(session=b, name="X", email=f"b{n}@example.org", consent_text="ok", client=client)
    moved = services.register(session=a, name="X", email="a@example.org", consent_text="ok", client=client)
    with pytest.raises(services.RegistrationError) as info:
        services.switch_registration(registration=moved.registration, session=b, client=client)
    assert info.value.code == "client_cap"


def test_the_webinar_page_is_the_event_page(client):
    webinar = WebinarFactory()
    SessionFactory(event=webinar.event)
    for prefix in ("", "/sl"):
        response = client.get(f"{prefix}/webinars/{webinar.event.slug}/")
        assert response.status_code == 301
        assert response["Location"] == f"{prefix}/events/{webinar.event.slug}/"
        assert client.get(f"{prefix}/webinars/{webinar.event.slug}/registered/")["Location"] == (
            f"{prefix}/events/{webinar.event.slug}/registered/"
        )
    page = client.get(f"/events/{webinar.event.slug}/").content.decode()
    assert "Platform" in page and "Zoom" in page and "90 minutes" in page
    assert client.get("/webinars/no-such-webinar/").status_code == 404


def test_forms_on_the_private_pages_pass_csrf_with_a_null_origin_and_only_with_the_token():
    """Under ``Referrer-Policy: no-referrer`` browsers post the page's forms with ``Origin: null``:
    accepted with the CSRF token, refused without it or from another origin."""
    from django.test import Client

    registration = RegistrationFactory(confirmation_sent_at=timezone.now() - timedelta(hours=1))
    url = reverse("events:manage_registration", kwargs={"token": services.manage_token(registration)})
    browser = Client(enforce_csrf_checks=True)
    html = browser.get(url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    assert browser.post(url, {"action": "resend"}, HTTP_ORIGIN="null").status_code == 403
    evil = browser.post(url, {"action": "resend", "csrfmiddlewaretoken": token}, HTTP_ORIGIN="https://evil.example")
    assert evil.status_code == 403
    ok = browser.post(url, {"action": "resend", "csrfmiddlewaretoken": token}, HTTP_ORIGIN="null")
    assert ok.status_code == 302


def test_the_journeys_pages_are_valid_html(client, tmp_path, webinar_dates, django_capture_on_commit_callbacks):
    """The result page (new, waiting, repeat), the own page (with the join link, a switch that
    asks about the waiting list), the cancel step and a broken link's page, in both languages."""
    from tests.test_html_validity import check_documents

    webinar, first, second = webinar_dates
    documents: dict[str, str] = {}
    second.capacity = 1
    second.save()
    RegistrationFactory(session=second, status=Registration.Status.CONFIRMED)
    for prefix in ("", "/sl"):
        with django_capture_on_commit_callbacks(execute=True):
            response = _register(client, first, email=f"ana{prefix.strip('/')}@example.org", prefix=prefix)
        documents[f"{prefix} result"] = client.get(response["Location"]).content.decode()
        registration = Registration.objects.get(email=f"ana{prefix.strip('/')}@example.org")
        with translation.override("en"):
            own = reverse("events:manage_registration", kwargs={"token": services.manage_token(registration)})
            cancel = reverse("events:cancel_registration", kwargs={"token": services.manage_token(registration)})
        documents[f"{prefix} own page"] = client.get(prefix + own).content.decode()
        documents[f"{prefix} own page, full date"] = client.post(
            prefix + own, {"action": "switch", "session": second.pk}
        ).content.decode()
        documents[f"{prefix} cancel"] = client.get(prefix + cancel).content.decode()
        documents[f"{prefix} broken link"] = client.get(f"{prefix}/events/registration/broken/").content.decode()
        documents[f"{prefix} link form errors"] = client.post(
            f"{prefix}/events/registration/link/", {"email": "x"}
        ).content.decode()
        stranger = client.__class__(REMOTE_ADDR="192.0.2.99")
        repeat = _register(stranger, first, email=f"ana{prefix.strip('/')}@example.org", prefix=prefix)
        documents[f"{prefix} repeat"] = stranger.get(repeat["Location"]).content.decode()
    assert "Yes, put me on its waiting list" in documents[" own page, full date"]
    errors = check_documents(documents, tmp_path)
    assert not errors, errors


def links_to_own_page(text: str, registration: Registration) -> bool:
    """Whether ``text`` links to ``registration``'s own page (a signed token carries a timestamp,
    so the link is recognised by what it opens, not compared as a string)."""
    tokens = re.findall(r"/events/registration/([\w:.-]+)/", text)
    return any(getattr(services.registration_for_token(t), "pk", None) == registration.pk for t in tokens)


def test_the_waiting_list_email_names_the_place(django_capture_on_commit_callbacks):
    session = SessionFactory(capacity=0)
    for _ in range(2):
        RegistrationFactory(session=session, status=Registration.Status.WAITLISTED, confirmed_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        result = services.register(session=session, name="Ana", email="ana@example.org", consent_text="x", language="sl")
    assert result.waitlisted
    email = OutgoingEmail.objects.get(to="ana@example.org")
    assert "Na čakalnem seznamu ste 3. po vrsti." in email.body_text

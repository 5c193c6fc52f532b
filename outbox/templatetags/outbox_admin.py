"""The outbox's alert on the admin index: messages that could not be delivered lately.

It reaches the network coordinators without SMTP (the thing that failed): the admin index
(``templates/admin/index.html``) shows it to every user who may view the outbox, beside the
ERROR that ``outbox.delivery`` logs for each such message."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from outbox.models import OutgoingEmail

register = template.Library()

# How far back failed messages are counted (a resend takes them out of the count at once).
ALERT_DAYS = 7


@register.simple_tag(takes_context=True)
def outbox_failure_alert(context: template.Context) -> str:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("outbox.view_outgoingemail"):
        return ""
    count = OutgoingEmail.objects.failed_since(timezone.now() - timedelta(days=ALERT_DAYS)).count()
    if not count:
        return ""
    text = ngettext(
        "%(count)d email could not be delivered in the last %(days)d days.",
        "%(count)d emails could not be delivered in the last %(days)d days.",
        count,
    ) % {"count": count, "days": ALERT_DAYS}
    url = reverse("admin:outbox_outgoingemail_changelist") + "?status__exact=" + OutgoingEmail.Status.FAILED
    return format_html(
        '<ul class="messagelist"><li class="error" id="outbox-failure-alert">{} <a href="{}">{}</a></li></ul>',
        text, url, _("Show the failed emails"),
    )

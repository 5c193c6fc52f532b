"""Coordinators' tools: lists with subscriber counts, subscribers with status and CSV export,
the approval queue for lists that need approval, consent records, and announcements (write,
preview, send, watch progress)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Count, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from modeltranslation.admin import TranslationAdmin
from modeltranslation.settings import AVAILABLE_LANGUAGES

from core.admin_languages import BothLanguagesMixin, in_both_languages
from core.content import in_language
from core.csv_export import csv_response
from core.markdown import render_markdown
from outbox import services as outbox
from outbox.models import OutgoingEmail

from . import services, tasks
from .models import Announcement, ApprovalRequest, ConsentRecord, MailingList, Subscription

S = Subscription.Status


@admin.register(MailingList)
class MailingListAdmin(BothLanguagesMixin, TranslationAdmin):
    """Name and description in English and Slovenian side by side."""

    list_display = ["name", "requires_approval", "is_active", "active_count", "awaiting_count", "pending_count", "unsubscribed_count"]
    prepopulated_fields = {"slug": ["name_en"]}
    search_fields = in_both_languages("name")

    def get_queryset(self, request: HttpRequest) -> QuerySet[MailingList]:
        counts = {
            f"n_{status}": Count("subscriptions", filter=Q(subscriptions__status=status))
            for status in (S.ACTIVE, S.AWAITING_APPROVAL, S.PENDING, S.UNSUBSCRIBED)
        }
        return super().get_queryset(request).annotate(**counts)

    def _link(self, obj: MailingList, status: str, count: int) -> str:
        url = reverse("admin:mailing_subscription_changelist") + f"?mailing_list__id__exact={obj.pk}&status__exact={status}"
        return format_html('<a href="{}">{}</a>', url, count)

    @admin.display(description=_("active"))
    def active_count(self, obj: MailingList) -> str:
        return self._link(obj, S.ACTIVE, obj.n_active)

    @admin.display(description=_("awaiting approval"))
    def awaiting_count(self, obj: MailingList) -> str:
        return self._link(obj, S.AWAITING_APPROVAL, obj.n_awaiting_approval)

    @admin.display(description=_("not confirmed"))
    def pending_count(self, obj: MailingList) -> str:
        return self._link(obj, S.PENDING, obj.n_pending)

    @admin.display(description=_("unsubscribed"))
    def unsubscribed_count(self, obj: MailingList) -> str:
        return self._link(obj, S.UNSUBSCRIBED, obj.n_unsubscribed)


class SubscriptionAdminBase(admin.ModelAdmin):
    list_display = ["email", "mailing_list", "status", "source", "language", "requested_at", "confirmed_at"]
    list_filter = ["mailing_list", "status", "source"]
    search_fields = ["email"]
    list_select_related = ["mailing_list"]
    date_hierarchy = "requested_at"
    actions = ["export_csv", "approve", "reject"]
    readonly_fields = [
        "mailing_list", "email", "status", "language", "source", "created_at", "requested_at", "confirmed_at",
        "decided_at", "decided_by", "unsubscribed_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Nobody is subscribed without their own confirmed consent.
        return False

    @admin.action(description=_("Export the selected subscriptions as CSV"), permissions=["view"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Subscription]) -> HttpResponse:
        header = ["list", "email", "status", "language", "source", "requested_at", "confirmed_at", "unsubscribed_at"]
        rows = (
            [s.mailing_list.name, s.email, s.status, s.language, s.source, s.requested_at, s.confirmed_at,
             s.unsubscribed_at]
            for s in queryset.select_related("mailing_list").order_by("mailing_list__name", "email")
        )
        return csv_response("subscriptions.csv", header, rows)

    @admin.action(description=_("Approve the selected requests"), permissions=["change"])
    def approve(self, request: HttpRequest, queryset: QuerySet[Subscription]) -> None:
        count = services.decide(subscription_ids=list(queryset.values_list("pk", flat=True)), approve=True, by=request.user)
        self.message_user(request, ngettext("%(count)d request approved.", "%(count)d requests approved.", count) % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Reject the selected requests"), permissions=["change"])
    def reject(self, request: HttpRequest, queryset: QuerySet[Subscription]) -> None:
        count = services.decide(subscription_ids=list(queryset.values_list("pk", flat=True)), approve=False, by=request.user)
        self.message_user(request, ngettext("%(count)d request rejected.", "%(count)d requests rejected.", count) % {"count": count}, messages.SUCCESS)


@admin.register(Subscription)
class SubscriptionAdmin(SubscriptionAdminBase):
    pass


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(SubscriptionAdminBase):
    list_filter = ["mailing_list"]
    date_hierarchy = None
    actions = ["approve", "reject", "export_csv"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Subscription]:
        return super().get_queryset(request).filter(status=S.AWAITING_APPROVAL)


@admin.register(ConsentRecord)
class ConsentRecordAdmin(admin.ModelAdmin):
    list_display = ["email", "mailing_list", "consent_version", "source", "given_at"]
    list_filter = ["mailing_list", "consent_version", "source"]
    search_fields = ["email"]
    list_select_related = ["mailing_list"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ConsentRecord | None = None) -> bool:
        return False  # evidence: viewable, never edited


@admin.register(Announcement)
class AnnouncementAdmin(BothLanguagesMixin, TranslationAdmin):
    """Subject and body in English and Slovenian: each subscriber gets the language they signed
    up in (the other one where theirs is empty)."""

    list_display = ["subject", "mailing_list", "status", "progress", "created_at", "finished_at"]
    list_filter = ["status", "mailing_list"]
    search_fields = in_both_languages("subject")
    list_select_related = ["mailing_list"]
    actions = ["send_selected"]
    change_form_template = "mailing/admin/announcement_change_form.html"
    fields = ["mailing_list", "subject", "body", "preview", "status", "progress"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Announcement]:
        """Each row carries its count of sent messages (one query for the whole list)."""
        return super().get_queryset(request).annotate(
            sent_count=outbox.count_in_group(Announcement.outbox_group_of(OuterRef("pk")), status=OutgoingEmail.Status.SENT)
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Announcement | None = None) -> list[str]:
        readonly = ["preview", "status", "progress"]
        if obj and obj.status != Announcement.Status.DRAFT:
            readonly += ["mailing_list", *in_both_languages("subject", "body")]
        return readonly

    def save_model(self, request: HttpRequest, obj: Announcement, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("preview"))
    def preview(self, obj: Announcement) -> str:
        if not obj.pk:
            return _("Save the draft to see a preview.")
        return format_html_join(
            "",
            '<div class="announcement-preview" lang="{}"><h2>{}</h2>{}</div>',
            (
                (language, in_language(obj, "subject", language), render_markdown(in_language(obj, "body", language)))
                for language in AVAILABLE_LANGUAGES
                if in_language(obj, "subject", language) or in_language(obj, "body", language)
            ),
        )

    @admin.display(description=_("progress"))
    def progress(self, obj: Announcement) -> str:
        if obj.status == Announcement.Status.DRAFT:
            return "—"
        sent = getattr(obj, "sent_count", None)
        if sent is None:  # an instance not loaded through get_queryset
            sent = outbox.count_by_status(group=obj.outbox_group)[OutgoingEmail.Status.SENT]
        return _("%(sent)d sent of %(total)d (%(queued)d queued)") % {
            "sent": sent, "total": obj.total_recipients, "queued": obj.queued_count,
        }

    def _send(self, request: HttpRequest, announcement_ids: list[int]) -> int:
        """Start each announcement and queue its first batch after the commit. Queueing never
        fails the request: without a broker the stalled-announcement check starts the chain."""
        started = 0
        for pk in announcement_ids:
            with transaction.atomic():
                chain = services.start_sending(announcement_id=pk)
                if chain is not None:
                    started += 1
                    transaction.on_commit(lambda pk=pk, chain=chain: tasks.queue_batch(pk, chain))
        return started

    @admin.action(description=_("Send the selected announcements to their lists"), permissions=["change"])
    def send_selected(self, request: HttpRequest, queryset: QuerySet[Announcement]) -> None:
        started = self._send(request, list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext("Sending %(count)d announcement.", "Sending %(count)d announcements.", started) % {"count": started},
            messages.SUCCESS,
        )

    def get_urls(self):
        return [
            path("<int:pk>/send/", self.admin_site.admin_view(self.send_view), name="mailing_announcement_send"),
            *super().get_urls(),
        ]

    def send_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return require_POST(self._send_view)(request, pk)

    def _send_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        announcement = get_object_or_404(Announcement, pk=pk)
        if not self.has_change_permission(request, announcement):
            return HttpResponse(status=403)
        if self._send(request, [announcement.pk]):
            self.message_user(request, _("Sending started."), messages.SUCCESS)
        else:
            self.message_user(request, _("This announcement has already been sent."), messages.WARNING)
        return HttpResponseRedirect(reverse("admin:mailing_announcement_change", args=[announcement.pk]))

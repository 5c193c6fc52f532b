"""The infrastructure catalogue: what partners offer to others (instruments and kits to borrow,
laboratories, rooms, collections, software, consultancy) and the requests people send to use it.

Reads live here as QuerySet methods (``Resource.objects.public().search(q)``); every write with
rules (a request to use a resource, a change of its status) lives in ``infrastructure.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.cache import ContentArea
from core.collation import by_key, sort_key
from core.content import current_language, in_language, localised
from network.models import (
    SEARCH_MAX_LENGTH,
    SEARCH_MAX_WORDS,
    SORT_LANGUAGES,
    Partner,
    normalise_search_text,
)


class ResourceQuerySet(models.QuerySet):
    def public(self) -> ResourceQuerySet:
        """Published resources of published partners: the only ones a visitor may see."""
        return self.filter(published=True, partner__status=Partner.Status.PUBLISHED)

    def search(self, query: str) -> ResourceQuerySet:
        """Resources whose search text (title, summary and description in both languages, and
        the partner's name) contains every word of ``query``, without regard to accents or case
        ("mikroskop" finds "Mikroskóp", "jozef" finds "Jožef"); only the first
        ``SEARCH_MAX_WORDS`` words of its first ``SEARCH_MAX_LENGTH`` characters, as the partner
        search (``network.models.PartnerQuerySet.search``)."""
        needle = normalise_search_text((query or "")[:SEARCH_MAX_LENGTH])
        if not needle:
            return self
        qs = self
        for word in dict.fromkeys(needle.split()[:SEARCH_MAX_WORDS]):
            qs = qs.filter(search_text__contains=word)
        return qs

    def in_title_order(self, language: str | None = None) -> ResourceQuerySet:
        """By title in ``language``'s alphabet (the active language by default); a resource with
        no title in that language sorts by its title in the other (the one its card shows)."""
        language = language or current_language()
        return self.order_by(by_key(f"sort_title_{language}"), "id")

    def with_listing_data(self) -> ResourceQuerySet:
        """The partner each card names, in the same query."""
        return self.select_related("partner")

    def in_region(self, region: str) -> ResourceQuerySet:
        """Resources in ``region``: their own region, or their partner's where they name none."""
        return self.filter(Q(region=region) | Q(region="", partner__region=region))


# Choices that a CheckConstraint also lists live at module level, so that ``Meta`` can build the
# constraint from them; the models keep the short names (``Resource.Kind``).
class ResourceKind(models.TextChoices):
    INSTRUMENT = "instrument", _("Instrument or kit to borrow")
    LABORATORY = "laboratory", _("Laboratory")
    VENUE = "venue", _("Room or venue")
    COLLECTION = "collection", _("Collection")
    SOFTWARE = "software", _("Software")
    CONSULTANCY = "consultancy", _("Consultancy")


class ResourceCost(models.TextChoices):
    FREE = "free", _("Free of charge")
    FEE = "fee", _("For a fee")


class Resource(models.Model):
    """Something a partner offers to others: an instrument, a laboratory, a room, a collection,
    software or advice, with the conditions of its use. Visitors see it only when it is
    ``published`` and its partner is (``ResourceQuerySet.public``)."""

    Kind = ResourceKind
    Cost = ResourceCost

    content_area = ContentArea.INFRASTRUCTURE

    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="resources", verbose_name=_("offered by")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.INSTRUMENT)
    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    summary = models.TextField(_("summary"), blank=True, help_text=_("One or two sentences for the list."))
    description = models.TextField(_("description (Markdown)"), blank=True)
    cost = models.CharField(_("cost"), max_length=10, choices=Cost.choices, default=Cost.FREE)
    fee_note = models.CharField(
        _("about the fee"), max_length=500, blank=True, help_text=_("What it costs, or how the fee is set.")
    )
    lead_time_days = models.PositiveIntegerField(
        _("notice needed (days)"), null=True, blank=True,
        help_text=_("How many days ahead a request should come. Empty: not stated."),
    )
    location = models.CharField(
        _("town"), max_length=120, blank=True, help_text=_("Empty: the partner's city is shown.")
    )
    region = models.CharField(
        _("region"), max_length=120, blank=True, db_index=True,
        help_text=_("Written as for partners (e.g. Osrednjeslovenska). Empty: the partner's region."),
    )
    who_may_use = models.CharField(_("who may use it"), max_length=500, blank=True)
    booking_notes = models.TextField(_("how to book (Markdown)"), blank=True)
    image = models.ImageField(
        _("image"), upload_to="infrastructure/images/", blank=True, width_field="image_width",
        height_field="image_height",
    )
    # Kept at upload, so that a page gives the image its size without opening the file.
    image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_description = models.CharField(
        _("image description"), max_length=300, blank=True,
        help_text=_("What the image shows, for people who cannot see it. Empty: the title."),
    )
    published = models.BooleanField(
        _("published"), default=False, help_text=_("Only published resources of published partners are public.")
    )
    search_text = models.TextField(editable=False, blank=True, default="")
    # The title's sort key in each language's alphabet (``core.collation``; ``in_title_order``).
    sort_title_en = models.CharField(max_length=300, editable=False, blank=True, default="")
    sort_title_sl = models.CharField(max_length=300, editable=False, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        # Lists sort by the title in the visitor's language (``views``); this is the admin's default.
        ordering = ["title_en", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ResourceKind.values), name="resource_kind_valid"),
            models.CheckConstraint(condition=Q(cost__in=ResourceCost.values), name="resource_cost_valid"),
            models.CheckConstraint(condition=~Q(title=""), name="resource_title_not_empty"),
            models.CheckConstraint(condition=~Q(slug=""), name="resource_slug_not_empty"),
        ]
        indexes = [models.Index(fields=["published", "kind"], name="resource_published_kind_idx")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.search_text = self.compute_search_text()
        for language in SORT_LANGUAGES:
            setattr(self, f"sort_title_{language}", sort_key(localised(self, "title", language).value, language)[:300])
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            sort_fields = (f"sort_title_{lang}" for lang in SORT_LANGUAGES)
            kwargs["update_fields"] = {*update_fields, "search_text", *sort_fields}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("infrastructure:resource_detail", kwargs={"slug": self.slug})

    def compute_search_text(self, partner: Partner | None = None) -> str:
        """Title, summary and description in both languages, and the partner's name and
        acronym in both (reads the partner unless it is given or already loaded)."""
        partner = partner or (self.partner if self.partner_id else None)
        texts = [
            in_language(self, field, language)
            for field in ("title", "summary", "description")
            for language in SORT_LANGUAGES
        ]
        if partner is not None:
            texts += [
                in_language(partner, field, language) for field in ("name", "acronym") for language in SORT_LANGUAGES
            ]
        return normalise_search_text(*texts)

    @property
    def town(self) -> str:
        """Where it is: its own town, else its partner's city (reads the partner)."""
        return self.location or self.partner.city

    @property
    def shown_region(self) -> str:
        """Its region, else its partner's (reads the partner)."""
        return self.region or self.partner.region


class UseRequestStatus(models.TextChoices):
    # In the request's grammatical gender ("zahteva": "Nova").
    NEW = "new", pgettext_lazy("request to use", "New")
    ANSWERED = "answered", pgettext_lazy("request to use", "Answered")
    CLOSED = "closed", pgettext_lazy("request to use", "Closed")


class UseRequest(models.Model):
    """Someone asks to use a resource. Private: it is shown only to the offering partner's
    coordinators and the network coordinators (in the admin) and never on a public page; it
    feeds no public content area. Written only by ``services.request_use``."""

    Status = UseRequestStatus

    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="use_requests", verbose_name=_("resource")
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), max_length=254)
    organisation = models.CharField(_("organisation"), max_length=300, blank=True)
    message = models.TextField(_("message"))
    wanted_from = models.DateField(_("wanted from"), null=True, blank=True)
    wanted_to = models.DateField(_("wanted until"), null=True, blank=True)
    consent_text = models.TextField(_("consent given to"))
    consent_given_at = models.DateTimeField(_("consent given at"), default=timezone.now)
    # The language of the page the request was sent from: every answer to the requester is in it.
    language = models.CharField(_("language"), max_length=10, default="en")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW, db_index=True)
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("status changed by"),
    )
    internal_note = models.TextField(
        _("internal note"), blank=True, help_text=_("For the coordinators only; never sent to the requester.")
    )
    created_at = models.DateTimeField(_("received"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("request to use")
        verbose_name_plural = _("requests to use")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=UseRequestStatus.values), name="userequest_status_valid"),
            models.CheckConstraint(condition=~Q(email=""), name="userequest_email_not_empty"),
            models.CheckConstraint(
                condition=Q(wanted_from__isnull=True) | Q(wanted_to__isnull=True) | Q(wanted_to__gte=F("wanted_from")),
                name="userequest_wanted_to_not_before_from",
            ),
        ]

    def __str__(self) -> str:
        # No name or address: the admin's history and delete pages show this.
        return f"#{self.pk} · {self.resource}"

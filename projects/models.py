"""The project catalogue: citizen-science projects the network's partners run, the topics they are
filed under, the listing criteria the network publishes, each project's check against them, and
the record of every change of a project's publication state.

A project has two states that mean different things: ``status`` is the project's life (planned,
recruiting, active, paused, completed), ``review_state`` its publication (draft, submitted,
published, returned). Only published projects are public (``Project.objects.public()``); only a
network coordinator publishes, and only a project that meets every active listing criterion
(``projects.services``, which also writes the ``ProjectStateChange`` rows).

Reads are queryset methods here (``Project.objects.public().joinable().search("znanost")``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.accounts import is_network_coordinator
from core.cache import ContentArea
from core.collation import by_key, sort_key
from core.content import current_language, in_language, localised
from core.models import ImportedRecord
from network.models import SEARCH_MAX_LENGTH, SEARCH_MAX_WORDS, Partner, normalise_search_text

# The languages a project's title is sorted and searched in (one ``sort_title_<language>`` column each).
LANGUAGES = ("en", "sl")


class Topic(models.Model):
    """A subject projects are filed under ("Biodiversity", "Air quality"); coordinators keep the list."""

    content_area = ContentArea.PROJECTS

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    # Both languages' names, unaccented and lower-case: the project search matches topics by it.
    search_text = models.TextField(editable=False, blank=True, default="")

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["name_en", "id"]
        constraints = [models.CheckConstraint(condition=~Q(name=""), name="topic_name_not_empty")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.search_text = normalise_search_text(*(in_language(self, "name", lang) for lang in LANGUAGES))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)


# Choices that a CheckConstraint also lists live at module level, so that ``Meta`` can build the
# constraint from them; the model keeps the short names (``Project.Status``).
class ProjectStatus(models.TextChoices):
    # In the project's grammatical gender ("projekt": "Aktiven").
    PLANNED = "planned", pgettext_lazy("project", "Planned")
    RECRUITING = "recruiting", pgettext_lazy("project", "Looking for participants")
    ACTIVE = "active", pgettext_lazy("project", "Active")
    PAUSED = "paused", pgettext_lazy("project", "Paused")
    COMPLETED = "completed", pgettext_lazy("project", "Completed")


class ReviewState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("project review", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("project review", "Submitted for review")
    PUBLISHED = "published", pgettext_lazy("project review", "Published")
    RETURNED = "returned", pgettext_lazy("project review", "Returned to the partner")


class ProjectQuerySet(models.QuerySet):
    def public(self) -> ProjectQuerySet:
        """Projects the public may see: published by a network coordinator."""
        return self.filter(review_state=ReviewState.PUBLISHED)

    def featured(self) -> ProjectQuerySet:
        """Projects a network coordinator chose for the home page."""
        return self.filter(featured=True)

    def joinable(self) -> ProjectQuerySet:
        """Projects people can join now: looking for participants, or active and saying (in either
        language) how to take part. ``Project.is_joinable`` is the same rule for one project."""
        says_how = Q(how_to_take_part_en__gt="") | Q(how_to_take_part_sl__gt="")
        return self.filter(Q(status=ProjectStatus.RECRUITING) | (Q(status=ProjectStatus.ACTIVE) & says_how))

    def search(self, query: str) -> ProjectQuerySet:
        """Projects whose title, summary or description (either language) or one of whose topics
        contains every word of ``query``, regardless of case and accents ("znanost" finds
        "Znanost", "ziva" finds "Živa"). As the partner search: the first ``SEARCH_MAX_WORDS``
        words of the first ``SEARCH_MAX_LENGTH`` characters."""
        needle = normalise_search_text(query[:SEARCH_MAX_LENGTH])
        if not needle:
            return self
        qs = self
        for word in dict.fromkeys(needle.split()[:SEARCH_MAX_WORDS]):
            with_topic = Project.topics.through.objects.filter(topic__search_text__contains=word)
            qs = qs.filter(Q(search_text__contains=word) | Q(pk__in=with_topic.values("project_id")))
        return qs

    def in_title_order(self, language: str | None = None) -> ProjectQuerySet:
        """By title in ``language``'s alphabet (the active language by default); a project with no
        title in that language sorts by its title in the other (the one its page shows)."""
        language = language or current_language()
        return self.order_by(by_key(f"sort_title_{language}"), "id")

    def with_card_data(self) -> ProjectQuerySet:
        """The lead partner and topics a card shows, fetched with the list (no query per row)."""
        return self.select_related("lead_partner").prefetch_related("topics")

    def for_coordinator(self, user) -> ProjectQuerySet:
        """Projects led by a partner ``user`` coordinates (all of them for network coordinators)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if is_network_coordinator(user):
            return self.all()
        return self.filter(lead_partner__in=Partner.objects.for_coordinator(user))


class Project(ImportedRecord):
    Status = ProjectStatus
    ReviewState = ReviewState

    content_area = ContentArea.PROJECTS

    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    summary = models.CharField(_("summary"), max_length=300, blank=True, help_text=_("One sentence for the list."))
    description = models.TextField(_("description (Markdown)"), blank=True)
    # A partner deleted takes its projects with it (the admin's delete page lists them first):
    # protecting them would stop the retention rules from removing rejected applications.
    lead_partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="led_projects", verbose_name=_("lead partner")
    )
    partners = models.ManyToManyField(
        Partner, blank=True, related_name="projects", verbose_name=_("participating partners")
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="projects", verbose_name=_("topics"))
    participation = models.TextField(_("what participants do"), blank=True)
    requirements = models.TextField(_("what participants need"), blank=True)
    audience = models.CharField(_("who can take part"), max_length=300, blank=True)
    # The same free-text vocabulary as ``Partner.region`` (Slovenian statistical regions, as written).
    region = models.CharField(
        _("region"), max_length=120, blank=True, db_index=True,
        help_text=_("Written as in the partners' regions (e.g. Osrednjeslovenska); empty for the whole country."),
    )
    online = models.BooleanField(_("people can take part online"), default=False)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    review_state = models.CharField(
        _("publication"), max_length=10, choices=ReviewState.choices, default=ReviewState.DRAFT, db_index=True
    )
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    website = models.URLField(_("website"), blank=True)
    image = models.ImageField(_("image"), upload_to="projects/images/", blank=True)
    how_to_take_part = models.TextField(_("how to take part (Markdown)"), blank=True)
    featured = models.BooleanField(_("featured on the home page"), default=False)
    search_text = models.TextField(editable=False, blank=True, default="")
    # The title's sort key in each language's alphabet (``core.collation``; ``in_title_order``).
    sort_title_en = models.CharField(max_length=300, editable=False, blank=True, default="")
    sort_title_sl = models.CharField(max_length=300, editable=False, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        # Pages order by the visitor's language (``in_title_order``).
        ordering = ["sort_title_en", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ProjectStatus.values), name="project_status_valid"),
            models.CheckConstraint(condition=Q(review_state__in=ReviewState.values), name="project_review_state_valid"),
            models.CheckConstraint(condition=~Q(title=""), name="project_title_not_empty"),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True) | Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="project_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["review_state", "status"], name="project_review_status_idx")]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The end cannot be before the start.")})

    def save(self, *args, **kwargs) -> None:
        self.search_text = self.compute_search_text()
        for language in LANGUAGES:
            setattr(self, f"sort_title_{language}", sort_key(localised(self, "title", language).value, language)[:300])
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_text", *(f"sort_title_{lang}" for lang in LANGUAGES)}
        super().save(*args, **kwargs)

    def compute_search_text(self) -> str:
        """Title, summary and description in both languages (topics are matched by their own)."""
        return normalise_search_text(
            *(in_language(self, field, lang) for field in ("title", "summary", "description") for lang in LANGUAGES)
        )

    def get_absolute_url(self) -> str:
        return reverse("projects:project_detail", kwargs={"slug": self.slug})

    @property
    def is_joinable(self) -> bool:
        """``ProjectQuerySet.joinable`` for this one project."""
        return self.status == ProjectStatus.RECRUITING or (
            self.status == ProjectStatus.ACTIVE
            and any(in_language(self, "how_to_take_part", lang).strip() for lang in LANGUAGES)
        )

    @property
    def public_lead_partner(self) -> Partner | None:
        """The lead partner as the public pages, the JSON-LD, the API and the CSV name it: only a
        published one (``Partner.objects.published()``); ``None`` for a pending applicant or an
        archived partner, whose name stays private. Reads ``lead_partner`` (``with_card_data`` joins it)."""
        lead = self.lead_partner
        return lead if lead.status == Partner.Status.PUBLISHED else None


class ListingCriterion(models.Model):
    """A quality criterion a project must meet to be listed, published on ``/projects/criteria/``."""

    content_area = ContentArea.PROJECTS

    label = models.CharField(_("criterion"), max_length=300)
    help_text = models.TextField(_("explanation"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Only active criteria are published and checked before publishing.")
    )

    class Meta:
        verbose_name = _("listing criterion")
        verbose_name_plural = _("listing criteria")
        ordering = ["order", "id"]
        constraints = [models.CheckConstraint(condition=~Q(label=""), name="listing_criterion_label_not_empty")]

    def __str__(self) -> str:
        return self.label


class CriterionCheck(models.Model):
    """Whether one project meets one listing criterion, with a note on how (filled in in the admin)."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="criterion_checks", verbose_name=_("project")
    )
    criterion = models.ForeignKey(
        ListingCriterion, on_delete=models.CASCADE, related_name="checks", verbose_name=_("criterion")
    )
    met = models.BooleanField(_("met"), default=False)
    note = models.TextField(_("note"), blank=True, help_text=_("How the project meets it (for the reviewers)."))

    class Meta:
        verbose_name = _("criterion check")
        verbose_name_plural = _("listing criteria checks")
        ordering = ["criterion__order", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "criterion"], name="criterion_check_once_per_project"),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.criterion}"


class ProjectStateChange(models.Model):
    """One change of a project's ``review_state``, by whom and why (written by ``projects.services``)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="state_changes")
    from_state = models.CharField(
        pgettext_lazy("publication change", "from"), max_length=10, choices=ReviewState.choices
    )
    to_state = models.CharField(pgettext_lazy("publication change", "to"), max_length=10, choices=ReviewState.choices)
    # A coordinator's account deleted keeps the record of what was done, without the person.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=pgettext_lazy("publication change", "by"),
    )
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(
        pgettext_lazy("publication change", "at"), default=timezone.now
    )

    class Meta:
        verbose_name = _("publication change")
        verbose_name_plural = _("publication history")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(from_state__in=ReviewState.values), name="state_change_from_valid"),
            models.CheckConstraint(condition=Q(to_state__in=ReviewState.values), name="state_change_to_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.project}: {self.from_state} → {self.to_state}"

"""The network: partners, working groups, BESPOC service modules and the network's contact block.

Reads live here as QuerySet methods; every write with rules lives in ``network.services``
(or ``seeds.writers.network`` for imports).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.accounts import is_network_coordinator
from core.cache import ContentArea, bump_after_commit
from core.collation import by_key, sort_key, unaccented
from core.content import current_language, in_language, localised
from core.models import ImportedRecord


def normalise_search_text(*parts: str | None) -> str:
    """Unaccented lower-case text, so that "jozef" and "JOŽEF" both find "Jožef".

    Stored in ``Partner.search_text`` and applied to the query: plain ``icontains`` then works
    identically on SQLite and PostgreSQL without extensions.
    """
    return " ".join(unaccented(" ".join(p for p in parts if p)).split())


# The languages a partner's name is sorted in (one ``sort_name_<language>`` column each).
SORT_LANGUAGES = ("en", "sl")

# The partner search uses the first words of a query only, and the filter form caps its length.
SEARCH_MAX_WORDS = 10
SEARCH_MAX_LENGTH = 200


class PartnerQuerySet(models.QuerySet):
    def published(self) -> PartnerQuerySet:
        return self.filter(status=Partner.Status.PUBLISHED)

    def network_partners(self) -> PartnerQuerySet:
        """Partners of this network (not external organisations such as the LibOCS universities)."""
        return self.filter(is_network_partner=True)

    def external(self) -> PartnerQuerySet:
        return self.filter(is_network_partner=False)

    def for_coordinator(self, user) -> PartnerQuerySet:
        """The partners ``user`` coordinates (all of them for network coordinators and superusers)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if is_network_coordinator(user):
            return self.all()
        return self.filter(coordinators=user)

    def in_name_order(self, language: str | None = None) -> PartnerQuerySet:
        """By name in ``language``'s alphabet (the active language by default); a partner with
        no name in that language sorts by its name in the other (the one its page shows)."""
        language = language or current_language()
        return self.order_by(by_key(f"sort_name_{language}"), "id")

    def search(self, query: str) -> PartnerQuerySet:
        """Partners whose search text contains every word of ``query`` (only its first
        ``SEARCH_MAX_WORDS`` words of its first ``SEARCH_MAX_LENGTH`` characters: each word is one
        more LIKE in the query, and a very long pattern is refused by the database)."""
        needle = normalise_search_text(query[:SEARCH_MAX_LENGTH])
        if not needle:
            return self
        qs = self
        for word in dict.fromkeys(needle.split()[:SEARCH_MAX_WORDS]):
            qs = qs.filter(search_text__contains=word)
        return qs


PARTNER_COORDINATORS_GROUP = "Partner coordinators"


# Choices that a CheckConstraint also lists live at module level, so that ``Meta`` can build the
# constraint from them (a nested class is out of ``Meta``'s scope); the models keep the short
# names (``Partner.Status``).
class PartnerKind(models.TextChoices):
    ORGANISATION = "organisation", _("Organisation")
    INDIVIDUAL = "individual", _("Individual")


class PartnerType(models.TextChoices):
    ACADEMIC_LIBRARY = "academic_library", _("Academic library")
    PUBLIC_LIBRARY = "public_library", _("Public library")
    SPECIAL_LIBRARY = "special_library", _("Special library")
    UNIVERSITY = "university", _("University or faculty")
    RESEARCH_INSTITUTE = "research_institute", _("Research institute")
    NGO = "ngo", _("NGO or association")
    PUBLIC_BODY = "public_body", _("Public body")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure")
    COMPANY = "company", _("Company")
    INDIVIDUAL = "individual", _("Individual")


class PartnerStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class Partner(ImportedRecord):
    Kind = PartnerKind
    Type = PartnerType
    Status = PartnerStatus

    class Role(models.TextChoices):
        PROMOTER = "promoter", _("Promoter of projects")
        ORGANISER = "organiser", _("Organiser of events and trainings")
        INFRASTRUCTURE = "infrastructure", _("Provider of infrastructure")

    content_area = ContentArea.DIRECTORY

    name = models.CharField(_("name"), max_length=300)
    acronym = models.CharField(_("acronym"), max_length=60, blank=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ORGANISATION)
    partner_type = models.CharField(_("type"), max_length=30, choices=Type.choices, blank=True)
    # A list of Role values; a JSON list keeps filtering simple on both engines (see filters.py).
    roles = models.JSONField(_("roles"), default=list, blank=True)
    description = models.TextField(_("description (Markdown)"), blank=True)
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=60, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    municipality = models.CharField(_("municipality"), max_length=120, blank=True)
    region = models.CharField(_("region"), max_length=120, blank=True, db_index=True)
    country = models.CharField(_("country"), max_length=2, default="SI", blank=True)
    logo = models.ImageField(_("logo"), upload_to="partners/logos/", blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    needs_review = models.BooleanField(_("needs review"), default=False)
    review_reason = models.CharField(_("why it needs review"), max_length=300, blank=True)
    is_network_partner = models.BooleanField(
        _("network partner"),
        default=True,
        help_text=_("Unticked for external organisations (e.g. organisers of events who are not partners)."),
    )
    date_joined = models.DateField(_("date joined"), null=True, blank=True)
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="coordinated_partners", verbose_name=_("coordinators")
    )
    # Applicant's contact (from /join/): who to answer about the application. Private: never on a
    # public page, the API or the CSV; the public ``email``/``phone`` above stay empty until the
    # partner or a coordinator fills them in.
    contact_name = models.CharField(
        _("contact person"), max_length=200, blank=True, help_text=_("Private: not shown on the public pages.")
    )
    application_email = models.EmailField(
        _("applicant's email"), blank=True,
        help_text=_("Private: where answers about the application go. Not shown on the public pages."),
    )
    application_phone = models.CharField(
        _("applicant's phone"), max_length=60, blank=True, help_text=_("Private: not shown on the public pages.")
    )
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    # The language of the page the applicant applied on: every answer to them is written in it.
    application_language = models.CharField(_("application language"), max_length=10, blank=True)
    search_text = models.TextField(editable=False, blank=True, default="")
    # The name's sort key in each language's alphabet (``core.collation``; ``in_name_order``).
    sort_name_en = models.CharField(max_length=300, editable=False, blank=True, default="")
    sort_name_sl = models.CharField(max_length=300, editable=False, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PartnerQuerySet.as_manager()

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        # Pages order by the visitor's language (``in_name_order``); modeltranslation would turn a
        # plain "name" into the active language's column, empty where a name is not translated.
        ordering = ["sort_name_en", "id"]
        permissions = [
            ("moderate_partner", "Can approve, reject, publish and archive partners"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=PartnerKind.values), name="partner_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=PartnerStatus.values), name="partner_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(partner_type__in=["", *PartnerType.values]),
                name="partner_type_valid",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="partner_name_not_empty"),
            # A double or replayed /join/ submit: at most one pending application per address and
            # name (``services.submit_application`` reuses it; this holds under concurrency).
            models.UniqueConstraint(
                Lower("application_email"),
                Lower("name"),
                condition=Q(status="pending") & ~Q(application_email=""),
                name="partner_one_pending_application",
            ),
        ]
        indexes = [models.Index(fields=["status", "is_network_partner"], name="partner_status_network_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym and self.acronym not in self.name else self.name

    def save(self, *args, **kwargs) -> None:
        self.search_text = self.compute_search_text()
        for language in SORT_LANGUAGES:
            setattr(self, f"sort_name_{language}", sort_key(localised(self, "name", language).value, language)[:300])
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_text", *(f"sort_name_{lang}" for lang in SORT_LANGUAGES)}
        super().save(*args, **kwargs)
        if NetworkContact.objects.filter(coordinator_partner=self).exists():
            bump_after_commit(ContentArea.SITE)  # its name is in every page's footer

    def compute_search_text(self) -> str:
        """Name, short name and description in both languages, and the place."""
        texts = [
            in_language(self, field, language)
            for field in ("name", "acronym", "description")
            for language in SORT_LANGUAGES
        ]
        return normalise_search_text(*texts, self.city, self.municipality)

    def get_absolute_url(self) -> str:
        return reverse("network:partner_detail", kwargs={"slug": self.slug})

    def role_labels(self) -> list[str]:
        labels = dict(Partner.Role.choices)
        return [str(labels.get(r, r)) for r in self.roles or []]


class WorkingGroupStatus(models.TextChoices):
    # In the working group's grammatical gender ("delovna skupina": "Aktivna").
    PROPOSED = "proposed", pgettext_lazy("working group", "Proposed")
    ACTIVE = "active", pgettext_lazy("working group", "Active")
    CLOSED = "closed", pgettext_lazy("working group", "Closed")


class WorkingGroup(ImportedRecord):
    Status = WorkingGroupStatus

    content_area = ContentArea.DIRECTORY

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    mandate = models.TextField(_("mandate (Markdown)"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    lead_partners = models.ManyToManyField(
        Partner, blank=True, related_name="led_working_groups", verbose_name=_("lead partners")
    )
    members = models.ManyToManyField(
        Partner, blank=True, related_name="working_groups", verbose_name=_("member partners")
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")
        ordering = ["name_en", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=WorkingGroupStatus.values), name="working_group_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("network:working_group_detail", kwargs={"slug": self.slug})


class WorkingGroupOutput(models.Model):
    content_area = ContentArea.DIRECTORY

    working_group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="outputs")
    title = models.CharField(_("title"), max_length=300)
    link = models.URLField(_("link"), blank=True)
    date = models.DateField(_("date"), null=True, blank=True)

    class Meta:
        verbose_name = _("output")
        verbose_name_plural = _("outputs")
        ordering = ["-date", "title_en"]

    def __str__(self) -> str:
        return self.title


class ServiceModule(ImportedRecord):
    """A BESPOC service module. Modules are data: coordinators add and edit them in the admin."""

    content_area = ContentArea.DIRECTORY

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    summary = models.TextField(_("summary"), blank=True)
    offers = models.TextField(_("what it offers (Markdown)"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    institutions = models.ManyToManyField(
        Partner, through="ServiceOffer", related_name="service_modules", blank=True
    )

    class Meta:
        verbose_name = _("service module")
        verbose_name_plural = _("service modules")
        ordering = ["order", "name_en"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("network:service_detail", kwargs={"slug": self.slug})


class ServiceOfferStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    PILOTING = "piloting", _("Piloting")
    OPERATIONAL = "operational", _("Operational")


class ServiceOffer(models.Model):
    Status = ServiceOfferStatus

    content_area = ContentArea.DIRECTORY

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="service_offers")
    module = models.ForeignKey(ServiceModule, on_delete=models.CASCADE, related_name="service_offers")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("service offer")
        verbose_name_plural = _("service offers")
        ordering = ["module__order", "partner__sort_name_en"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "module"], name="service_offer_unique"),
            models.CheckConstraint(
                condition=Q(status__in=ServiceOfferStatus.values), name="service_offer_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner} × {self.module}"


class NetworkContact(ImportedRecord):
    """The network's contact block (one row in practice; the footer shows the first)."""

    content_area = ContentArea.SITE  # the footer of every page

    organisation = models.CharField(_("organisation"), max_length=300, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=60, blank=True)
    email = models.EmailField(_("email"), blank=True)
    contact_person = models.CharField(_("contact person"), max_length=200, blank=True)
    coordinator_title = models.CharField(_("coordinator title"), max_length=200, blank=True)
    coordinator_name = models.CharField(_("coordinator"), max_length=200, blank=True)
    coordinator_organisation = models.CharField(_("coordinator's organisation"), max_length=300, blank=True)
    # The coordinator's organisation as a partner of the network, when it is one: the pages then
    # show that partner's name in the visitor's language (``coordinator_organisation`` otherwise).
    coordinator_partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("coordinator's organisation (partner)"),
    )
    mailing_lists = models.JSONField(_("mailing-list addresses"), default=list, blank=True)
    # What the network is, shown on the home and about pages (``introduction_en``/``_sl``).
    introduction = models.TextField(_("introduction"), blank=True)

    class Meta:
        verbose_name = _("network contact")
        verbose_name_plural = _("network contact")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.organisation or str(_("Network contact"))

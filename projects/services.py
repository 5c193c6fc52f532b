"""Writes with rules for the project catalogue: moving a project through its publication
(``submit``, ``publish``, ``return_to_partner``, and ``changed_after_publication``: a partner's
edit of a published project sends it back for review).

Each call locks the project's row, checks the move is allowed from the state it is in and by
whom, writes the new state and one ``ProjectStateChange`` row, in one transaction. Only network
coordinators publish and return; a project is published only when it meets every active listing
criterion. No email is sent: the network has no single list of a partner's contacts for projects
yet, and the coordinators follow the publication history in the admin.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from core.accounts import is_network_coordinator

from .models import CriterionCheck, ListingCriterion, Project, ProjectStateChange, ReviewState


class ReviewError(Exception):
    """A publication move that is not allowed; ``message`` says why, for the coordinator."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# Where each move may start from.
SUBMITTABLE = (ReviewState.DRAFT, ReviewState.RETURNED)
PUBLISHABLE = (ReviewState.DRAFT, ReviewState.SUBMITTED, ReviewState.RETURNED)
RETURNABLE = (ReviewState.SUBMITTED, ReviewState.PUBLISHED)


def unmet_criteria(project: Project) -> list[ListingCriterion]:
    """The active listing criteria ``project`` is not (yet) marked as meeting, in their order."""
    met = CriterionCheck.objects.filter(project=project, met=True).values("criterion_id")
    return list(ListingCriterion.objects.filter(active=True).exclude(pk__in=met).order_by("order", "id"))


def _may_edit(project: Project, actor) -> bool:
    return Project.objects.for_coordinator(actor).filter(pk=project.pk).exists()


def _move(*, project: Project, actor, to: ReviewState, allowed_from: tuple[ReviewState, ...], note: str) -> Project:
    """Lock the row, check the state it is in, write the new one and its history row."""
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if locked.review_state not in allowed_from:
        raise ReviewError(
            _("“%(project)s” cannot go from “%(state)s” to “%(to)s”.")
            % {"project": locked, "state": ReviewState(locked.review_state).label, "to": to.label}
        )
    ProjectStateChange.objects.create(
        project=locked, from_state=locked.review_state, to_state=to, actor=actor, note=note
    )
    locked.review_state = to
    locked.save(update_fields=["review_state", "updated_at"])
    project.review_state = locked.review_state
    return locked


@transaction.atomic
def submit(*, project: Project, actor) -> Project:
    """Send a draft (or a project returned to the partner) to the network coordinators for review.
    By anyone who may edit the project: the lead partner's coordinators, a network coordinator."""
    if not _may_edit(project, actor):
        raise ReviewError(_("You may only submit projects your organisation leads."))
    return _move(project=project, actor=actor, to=ReviewState.SUBMITTED, allowed_from=SUBMITTABLE, note="")


@transaction.atomic
def publish(*, project: Project, actor, note: str = "") -> Project:
    """Make the project public. Only a network coordinator, and only when every active listing
    criterion is marked as met (``unmet_criteria``)."""
    if not is_network_coordinator(actor):
        raise ReviewError(_("Only the network coordinators publish projects."))
    locked = Project.objects.select_for_update().get(pk=project.pk)
    missing = unmet_criteria(locked)
    if missing:
        raise ReviewError(
            _("“%(project)s” was not published: these listing criteria are not marked as met: %(criteria)s.")
            % {"project": locked, "criteria": "; ".join(str(c) for c in missing)}
        )
    return _move(project=project, actor=actor, to=ReviewState.PUBLISHED, allowed_from=PUBLISHABLE, note=note)


@transaction.atomic
def return_to_partner(*, project: Project, actor, note: str) -> Project:
    """Send a submitted or published project back to its lead partner with ``note`` saying what to
    change (a published one leaves the public pages). Only a network coordinator."""
    if not is_network_coordinator(actor):
        raise ReviewError(_("Only the network coordinators return projects."))
    note = (note or "").strip()
    if not note:
        raise ReviewError(_("Say what the partner should change."))
    return _move(project=project, actor=actor, to=ReviewState.RETURNED, allowed_from=RETURNABLE, note=note)


@transaction.atomic
def changed_after_publication(*, project: Project, actor) -> bool:
    """``actor`` has just saved changes to ``project``. When the project is published and the actor
    is not a network coordinator (the lead partner's coordinators), it goes back to "submitted"
    and so leaves the public pages until a network coordinator publishes it again: a partner's
    edit is reviewed like its first version. A network coordinator's edit stays published.
    Returns whether the project moved. The history note is in the site's default language, as
    the rest of what the coordinators get without a language of their own on record."""
    if is_network_coordinator(actor):
        return False
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if locked.review_state != ReviewState.PUBLISHED:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        note = _("Changed by the partner after publication: awaits review again.")
    _move(project=project, actor=actor, to=ReviewState.SUBMITTED, allowed_from=(ReviewState.PUBLISHED,), note=note)
    return True

from __future__ import annotations

import factory

from projects.models import CriterionCheck, ListingCriterion, Project, Topic
from tests.network.factories import PartnerFactory


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    title = factory.Sequence(lambda n: f"Project {n}")
    slug = factory.Sequence(lambda n: f"project-{n}")
    summary = "People count things together."
    description = "A project in which people count things."
    lead_partner = factory.SubFactory(PartnerFactory)
    status = Project.Status.ACTIVE
    review_state = Project.ReviewState.PUBLISHED


def meet_every_criterion(project: Project) -> None:
    """Mark every active listing criterion as met for ``project``."""
    for criterion in ListingCriterion.objects.filter(active=True):
        CriterionCheck.objects.update_or_create(project=project, criterion=criterion, defaults={"met": True})

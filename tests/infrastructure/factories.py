from __future__ import annotations

import factory

from infrastructure.models import Resource, UseRequest
from tests.network.factories import PartnerFactory


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource

    partner = factory.SubFactory(PartnerFactory)
    kind = Resource.Kind.INSTRUMENT
    title_en = factory.Sequence(lambda n: f"Microscope {n}")
    slug = factory.Sequence(lambda n: f"microscope-{n}")
    summary_en = "A stereo microscope to borrow."
    description_en = "Lent with **two** lenses."
    cost = Resource.Cost.FREE
    published = True


class UseRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UseRequest

    resource = factory.SubFactory(ResourceFactory)
    name = "Ana Novak"
    email = "ana.novak@example.org"
    message = "For a school project on pond life."
    consent_text = "I agree."

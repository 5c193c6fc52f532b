from __future__ import annotations

import factory

from network.models import Partner, ServiceModule, ServiceOffer, WorkingGroup


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Partner {n}")
    slug = factory.Sequence(lambda n: f"partner-{n}")
    kind = Partner.Kind.ORGANISATION
    partner_type = Partner.Type.PUBLIC_LIBRARY
    roles = factory.LazyFunction(lambda: ["organiser"])
    description = "A library that lends microscopes."
    status = Partner.Status.PUBLISHED
    is_network_partner = True


class WorkingGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingGroup

    name = factory.Sequence(lambda n: f"Working group {n}")
    slug = factory.Sequence(lambda n: f"working-group-{n}")
    status = WorkingGroup.Status.ACTIVE
    contact_email = "group@example.org"


class ServiceModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceModule

    name = factory.Sequence(lambda n: f"Module {n}")
    slug = factory.Sequence(lambda n: f"module-{n}")
    summary = "Helps."


class ServiceOfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceOffer

    partner = factory.SubFactory(PartnerFactory)
    module = factory.SubFactory(ServiceModuleFactory)
    status = ServiceOffer.Status.OPERATIONAL
    contact_email = "offer@example.org"

"""The network's record texts that have an English and a Slovenian value (django-modeltranslation
adds ``<field>_en`` and ``<field>_sl`` columns; ``core.content`` shows them with the fallback marked)."""

from modeltranslation.translator import TranslationOptions, register

from .models import NetworkContact, Partner, ServiceModule, ServiceOffer, WorkingGroup, WorkingGroupOutput


@register(Partner)
class PartnerTranslation(TranslationOptions):
    fields = ("name", "acronym", "description")


@register(WorkingGroup)
class WorkingGroupTranslation(TranslationOptions):
    fields = ("name", "mandate")


@register(WorkingGroupOutput)
class WorkingGroupOutputTranslation(TranslationOptions):
    fields = ("title",)


@register(ServiceModule)
class ServiceModuleTranslation(TranslationOptions):
    fields = ("name", "summary", "offers")


@register(ServiceOffer)
class ServiceOfferTranslation(TranslationOptions):
    fields = ("note",)


@register(NetworkContact)
class NetworkContactTranslation(TranslationOptions):
    fields = ("organisation", "coordinator_title", "coordinator_organisation", "introduction")

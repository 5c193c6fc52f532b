import factory

from mailing.models import Announcement, MailingList, Subscription


class MailingListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MailingList

    name = factory.Sequence(lambda n: f"List {n}")
    slug = factory.Sequence(lambda n: f"list-{n}")


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscription

    mailing_list = factory.SubFactory(MailingListFactory)
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    status = Subscription.Status.ACTIVE
    language = "en"


class AnnouncementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Announcement

    mailing_list = factory.SubFactory(MailingListFactory)
    subject = "Spring webinars & workshops"
    body = "Dear subscribers,\n\n**Register now** for our [webinars](https://example.org/webinars/)."

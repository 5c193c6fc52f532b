"""The network's two mailing lists, named in the partners page's contact block."""

from django.db import migrations

LISTS = [
    {
        "slug": "network-news",
        "name": "Network news",
        "description": "News, events and webinars of the Citizen Science Network. Open to anyone.",
        "requires_approval": False,
        "position": 1,
    },
    {
        "slug": "partners-information-exchange",
        "name": "Partners' information exchange",
        "description": (
            "Information exchange among people from the network's partner organisations. "
            "A coordinator approves each request."
        ),
        "requires_approval": True,
        "position": 2,
    },
]


def create_lists(apps, schema_editor):
    MailingList = apps.get_model("mailing", "MailingList")
    for values in LISTS:
        MailingList.objects.get_or_create(slug=values["slug"], defaults=values)


def remove_lists(apps, schema_editor):
    MailingList = apps.get_model("mailing", "MailingList")
    MailingList.objects.filter(slug__in=[values["slug"] for values in LISTS], subscriptions__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("mailing", "0001_initial")]

    operations = [migrations.RunPython(create_lists, remove_lists)]

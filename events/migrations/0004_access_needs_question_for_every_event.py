"""Every existing event asks the built-in optional question "Access needs or questions for the
organisers" (new events get it when they are created, ``events.question_services``). The texts
are written out here, as they were when this ran, in both languages."""

from django.db import migrations

LABEL = {
    "en": "Access needs or questions for the organisers",
    "sl": "Potrebe glede dostopnosti ali vprašanja za organizatorje",
}
HELP = {
    "en": "For example step-free access, sign-language interpreting, captions, or anything you would like to ask us.",
    "sl": "Na primer dostop brez stopnic, tolmačenje v slovenski znakovni jezik, podnapisi ali karkoli bi nas radi vprašali.",
}


def add_question(apps, schema_editor):
    Event = apps.get_model("events", "Event")
    RegistrationQuestion = apps.get_model("events", "RegistrationQuestion")
    has_one = RegistrationQuestion.objects.filter(is_access_needs=True).values("event_id")
    RegistrationQuestion.objects.bulk_create(
        [
            RegistrationQuestion(
                event_id=event_id, kind="long_text", required=False, order=900, is_access_needs=True,
                label=LABEL["en"], label_en=LABEL["en"], label_sl=LABEL["sl"],
                help_text=HELP["en"], help_text_en=HELP["en"], help_text_sl=HELP["sl"],
                choices="", choices_en="", choices_sl="",
            )
            for event_id in Event.objects.exclude(pk__in=has_one).values_list("pk", flat=True).iterator()
        ],
        batch_size=500,
    )


def remove_question(apps, schema_editor):
    apps.get_model("events", "RegistrationQuestion").objects.filter(is_access_needs=True).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("events", "0003_registration_questions_and_time_zone"),
    ]

    operations = [migrations.RunPython(add_question, remove_question)]

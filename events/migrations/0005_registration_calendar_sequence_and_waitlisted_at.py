"""Each registration gets its own calendar SEQUENCE (its entry's UID is per registration), and
the waiting list is ordered by ``waitlisted_at`` instead of a rewritten ``created_at``. Existing
rows joined their waiting list when they registered (a switched row's ``created_at`` already
holds the time it joined, as the old code rewrote it)."""

import django.utils.timezone
from django.db import migrations, models


def copy_created_at(apps, schema_editor):
    Registration = apps.get_model("events", "Registration")
    Registration.objects.update(waitlisted_at=models.F("created_at"))


class Migration(migrations.Migration):

    dependencies = [
        ("events", "0004_access_needs_question_for_every_event"),
    ]

    operations = [
        migrations.AddField(
            model_name="registration",
            name="calendar_sequence",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="calendar sequence"),
        ),
        migrations.AddField(
            model_name="registration",
            name="waitlisted_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now, editable=False, verbose_name="joined the waiting list"
            ),
        ),
        migrations.RunPython(copy_created_at, migrations.RunPython.noop),
    ]

"""The batch chain's token: an announcement still sending gets one, and no time of queueing, so
the stalled-announcement check resumes it at once with a task carrying that token (a batch task
queued before this migration carries none and ends without doing anything)."""

import uuid

from django.db import migrations, models


def give_sending_announcements_a_chain(apps, schema_editor):
    Announcement = apps.get_model("mailing", "Announcement")
    for pk in Announcement.objects.filter(status="sending").values_list("pk", flat=True):
        Announcement.objects.filter(pk=pk).update(chain=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("mailing", "0002_seed_lists")]

    operations = [
        migrations.AddField(
            model_name="announcement",
            name="chain",
            field=models.UUIDField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="announcement",
            name="chain_queued_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(give_sending_announcements_a_chain, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="announcement",
            constraint=models.CheckConstraint(
                condition=models.Q(status="sending", chain__isnull=False)
                | (~models.Q(status="sending") & models.Q(chain__isnull=True)),
                name="announcement_chain_exactly_while_sending",
            ),
        ),
    ]

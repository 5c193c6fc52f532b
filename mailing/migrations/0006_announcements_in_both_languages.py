"""Announcements' subject and body in English and Slovenian; existing ones become English."""

from django.db import migrations, models


def copy_to_english(apps, schema_editor):
    Announcement = apps.get_model("mailing", "Announcement")
    Announcement.objects.update(subject_en=models.F("subject"), body_en=models.F("body"))


class Migration(migrations.Migration):

    dependencies = [
        ('mailing', '0005_order_by_english_columns'),
    ]

    operations = [
        migrations.AddField(
            model_name='announcement',
            name='body_en',
            field=models.TextField(null=True, verbose_name='body (Markdown)'),
        ),
        migrations.AddField(
            model_name='announcement',
            name='body_sl',
            field=models.TextField(null=True, verbose_name='body (Markdown)'),
        ),
        migrations.AddField(
            model_name='announcement',
            name='subject_en',
            field=models.CharField(max_length=200, null=True, verbose_name='subject'),
        ),
        migrations.AddField(
            model_name='announcement',
            name='subject_sl',
            field=models.CharField(max_length=200, null=True, verbose_name='subject'),
        ),
        migrations.RunPython(copy_to_english, migrations.RunPython.noop),
    ]

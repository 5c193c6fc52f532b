"""Record texts in English and Slovenian (django-modeltranslation's ``_en``/``_sl`` columns).

Existing text is English (the seeds and every edit so far were): it becomes the English value;
the Slovenian value starts empty and the pages show the English one, marked ``lang="en"``.
"""

from django.db import migrations, models


TRANSLATED = {'Event': ['title', 'summary', 'description', 'footnote', 'organising_project', 'presenters_note', 'venue', 'accessibility']}


def copy_to_english(apps, schema_editor):
    """``<field>_en`` = ``<field>`` for every translated field of every row."""
    for model_name, fields in TRANSLATED.items():
        model = apps.get_model("events", model_name)
        model.objects.update(**{f"{field}_en": models.F(field) for field in fields})


def copy_back(apps, schema_editor):
    for model_name, fields in TRANSLATED.items():
        model = apps.get_model("events", model_name)
        model.objects.filter(**{f"{field}_en__isnull": False for field in fields[:1]}).update(
            **{field: models.F(f"{field}_en") for field in fields}
        )


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='event',
            name='accessibility_en',
            field=models.TextField(blank=True, null=True, verbose_name='accessibility information'),
        ),
        migrations.AddField(
            model_name='event',
            name='accessibility_sl',
            field=models.TextField(blank=True, null=True, verbose_name='accessibility information'),
        ),
        migrations.AddField(
            model_name='event',
            name='description_en',
            field=models.TextField(blank=True, null=True, verbose_name='description (Markdown)'),
        ),
        migrations.AddField(
            model_name='event',
            name='description_sl',
            field=models.TextField(blank=True, null=True, verbose_name='description (Markdown)'),
        ),
        migrations.AddField(
            model_name='event',
            name='footnote_en',
            field=models.TextField(blank=True, null=True, verbose_name='footnote (Markdown)'),
        ),
        migrations.AddField(
            model_name='event',
            name='footnote_sl',
            field=models.TextField(blank=True, null=True, verbose_name='footnote (Markdown)'),
        ),
        migrations.AddField(
            model_name='event',
            name='organising_project_en',
            field=models.CharField(blank=True, max_length=200, null=True, verbose_name='organising project'),
        ),
        migrations.AddField(
            model_name='event',
            name='organising_project_sl',
            field=models.CharField(blank=True, max_length=200, null=True, verbose_name='organising project'),
        ),
        migrations.AddField(
            model_name='event',
            name='presenters_note_en',
            field=models.CharField(blank=True, max_length=500, null=True, verbose_name='presenters (free text)'),
        ),
        migrations.AddField(
            model_name='event',
            name='presenters_note_sl',
            field=models.CharField(blank=True, max_length=500, null=True, verbose_name='presenters (free text)'),
        ),
        migrations.AddField(
            model_name='event',
            name='summary_en',
            field=models.TextField(blank=True, null=True, verbose_name='summary'),
        ),
        migrations.AddField(
            model_name='event',
            name='summary_sl',
            field=models.TextField(blank=True, null=True, verbose_name='summary'),
        ),
        migrations.AddField(
            model_name='event',
            name='title_en',
            field=models.CharField(max_length=300, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='event',
            name='title_sl',
            field=models.CharField(max_length=300, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='event',
            name='venue_en',
            field=models.CharField(blank=True, max_length=300, null=True, verbose_name='venue'),
        ),
        migrations.AddField(
            model_name='event',
            name='venue_sl',
            field=models.CharField(blank=True, max_length=300, null=True, verbose_name='venue'),
        ),
        migrations.RunPython(copy_to_english, copy_back),
    ]

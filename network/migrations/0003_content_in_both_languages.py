"""Record texts in English and Slovenian (django-modeltranslation's ``_en``/``_sl`` columns).

Existing text is English (the seeds and every edit so far were): it becomes the English value;
the Slovenian value starts empty and the pages show the English one, marked ``lang="en"``.
The introduction already had a Slovenian column; it keeps its values.
"""

from django.db import migrations, models


TRANSLATED = {'Partner': ['name', 'acronym', 'description'], 'WorkingGroup': ['name', 'mandate'], 'WorkingGroupOutput': ['title'], 'ServiceModule': ['name', 'summary', 'offers'], 'ServiceOffer': ['note'], 'NetworkContact': ['organisation', 'coordinator_title', 'coordinator_organisation', 'introduction']}


def copy_to_english(apps, schema_editor):
    """``<field>_en`` = ``<field>`` for every translated field of every row."""
    for model_name, fields in TRANSLATED.items():
        model = apps.get_model("network", model_name)
        model.objects.update(**{f"{field}_en": models.F(field) for field in fields})


def copy_back(apps, schema_editor):
    for model_name, fields in TRANSLATED.items():
        model = apps.get_model("network", model_name)
        model.objects.filter(**{f"{field}_en__isnull": False for field in fields[:1]}).update(
            **{field: models.F(f"{field}_en") for field in fields}
        )


class Migration(migrations.Migration):

    dependencies = [
        ('network', '0002_networkcontact_email'),
    ]

    operations = [
        migrations.AddField(
            model_name='networkcontact',
            name='coordinator_organisation_en',
            field=models.CharField(blank=True, max_length=300, null=True, verbose_name="coordinator's organisation"),
        ),
        migrations.AddField(
            model_name='networkcontact',
            name='coordinator_organisation_sl',
            field=models.CharField(blank=True, max_length=300, null=True, verbose_name="coordinator's organisation"),
        ),
        migrations.AddField(
            model_name='networkcontact',
            name='coordinator_title_en',
            field=models.CharField(blank=True, max_length=200, null=True, verbose_name='coordinator title'),
        ),
        migrations.AddField(
            model_name='networkcontact',
            name='coordinator_title_sl',
            field=models.CharField(blank=True, max_length=200, null=True, verbose_name='coordinator title'),
        ),
        migrations.AddField(
            model_name='networkcontact',
            name='introduction_en',
            field=models.TextField(blank=True, null=True, verbose_name='introduction'),
        ),
        migrations.AddField(
            model_name='networkcontact',
            name='organisation_en',
            field=models.CharField(blank=True, max_length=300, null=True, verbose_name='organisation'),
        ),
        migrations.AddField(
            model_name='networkcontact',
            name='organisation_sl',
            field=models.CharField(blank=True, max_length=300, null=True, verbose_name='organisation'),
        ),
        migrations.AddField(
            model_name='partner',
            name='acronym_en',
            field=models.CharField(blank=True, max_length=60, null=True, verbose_name='acronym'),
        ),
        migrations.AddField(
            model_name='partner',
            name='acronym_sl',
            field=models.CharField(blank=True, max_length=60, null=True, verbose_name='acronym'),
        ),
        migrations.AddField(
            model_name='partner',
            name='description_en',
            field=models.TextField(blank=True, null=True, verbose_name='description (Markdown)'),
        ),
        migrations.AddField(
            model_name='partner',
            name='description_sl',
            field=models.TextField(blank=True, null=True, verbose_name='description (Markdown)'),
        ),
        migrations.AddField(
            model_name='partner',
            name='name_en',
            field=models.CharField(max_length=300, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='partner',
            name='name_sl',
            field=models.CharField(max_length=300, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='servicemodule',
            name='name_en',
            field=models.CharField(max_length=200, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='servicemodule',
            name='name_sl',
            field=models.CharField(max_length=200, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='servicemodule',
            name='offers_en',
            field=models.TextField(blank=True, null=True, verbose_name='what it offers (Markdown)'),
        ),
        migrations.AddField(
            model_name='servicemodule',
            name='offers_sl',
            field=models.TextField(blank=True, null=True, verbose_name='what it offers (Markdown)'),
        ),
        migrations.AddField(
            model_name='servicemodule',
            name='summary_en',
            field=models.TextField(blank=True, null=True, verbose_name='summary'),
        ),
        migrations.AddField(
            model_name='servicemodule',
            name='summary_sl',
            field=models.TextField(blank=True, null=True, verbose_name='summary'),
        ),
        migrations.AddField(
            model_name='serviceoffer',
            name='note_en',
            field=models.TextField(blank=True, null=True, verbose_name='note'),
        ),
        migrations.AddField(
            model_name='serviceoffer',
            name='note_sl',
            field=models.TextField(blank=True, null=True, verbose_name='note'),
        ),
        migrations.AddField(
            model_name='workinggroup',
            name='mandate_en',
            field=models.TextField(blank=True, null=True, verbose_name='mandate (Markdown)'),
        ),
        migrations.AddField(
            model_name='workinggroup',
            name='mandate_sl',
            field=models.TextField(blank=True, null=True, verbose_name='mandate (Markdown)'),
        ),
        migrations.AddField(
            model_name='workinggroup',
            name='name_en',
            field=models.CharField(max_length=200, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='workinggroup',
            name='name_sl',
            field=models.CharField(max_length=200, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='workinggroupoutput',
            name='title_en',
            field=models.CharField(max_length=300, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='workinggroupoutput',
            name='title_sl',
            field=models.CharField(max_length=300, null=True, verbose_name='title'),
        ),
        migrations.AlterField(
            model_name='networkcontact',
            name='introduction',
            field=models.TextField(blank=True, verbose_name='introduction'),
        ),
        migrations.AlterField(
            model_name='networkcontact',
            name='introduction_sl',
            field=models.TextField(blank=True, null=True, verbose_name='introduction'),
        ),
        migrations.RunPython(copy_to_english, copy_back),
    ]

"""Record texts in English and Slovenian (django-modeltranslation's ``_en``/``_sl`` columns).

Existing text is English (the seeds and every edit so far were): it becomes the English value;
the Slovenian value starts empty and the pages show the English one, marked ``lang="en"``.
"""

from django.db import migrations, models


TRANSLATED = {'NewsItem': ['title', 'category', 'summary', 'body']}


def copy_to_english(apps, schema_editor):
    """``<field>_en`` = ``<field>`` for every translated field of every row."""
    for model_name, fields in TRANSLATED.items():
        model = apps.get_model("portal", model_name)
        model.objects.update(**{f"{field}_en": models.F(field) for field in fields})


def copy_back(apps, schema_editor):
    for model_name, fields in TRANSLATED.items():
        model = apps.get_model("portal", model_name)
        model.objects.filter(**{f"{field}_en__isnull": False for field in fields[:1]}).update(
            **{field: models.F(f"{field}_en") for field in fields}
        )


class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='newsitem',
            name='body_en',
            field=models.TextField(null=True, verbose_name='body (Markdown)'),
        ),
        migrations.AddField(
            model_name='newsitem',
            name='body_sl',
            field=models.TextField(null=True, verbose_name='body (Markdown)'),
        ),
        migrations.AddField(
            model_name='newsitem',
            name='category_en',
            field=models.CharField(blank=True, max_length=60, null=True, verbose_name='category'),
        ),
        migrations.AddField(
            model_name='newsitem',
            name='category_sl',
            field=models.CharField(blank=True, max_length=60, null=True, verbose_name='category'),
        ),
        migrations.AddField(
            model_name='newsitem',
            name='summary_en',
            field=models.TextField(blank=True, null=True, verbose_name='summary'),
        ),
        migrations.AddField(
            model_name='newsitem',
            name='summary_sl',
            field=models.TextField(blank=True, null=True, verbose_name='summary'),
        ),
        migrations.AddField(
            model_name='newsitem',
            name='title_en',
            field=models.CharField(max_length=300, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='newsitem',
            name='title_sl',
            field=models.CharField(max_length=300, null=True, verbose_name='title'),
        ),
        migrations.RunPython(copy_to_english, copy_back),
    ]

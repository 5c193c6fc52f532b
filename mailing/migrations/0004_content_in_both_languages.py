"""Record texts in English and Slovenian (django-modeltranslation's ``_en``/``_sl`` columns).

Existing text is English (the seeds and every edit so far were): it becomes the English value;
the Slovenian value starts empty and the pages show the English one, marked ``lang="en"``.
"""

from django.db import migrations, models


TRANSLATED = {'MailingList': ['name', 'description']}


def copy_to_english(apps, schema_editor):
    """``<field>_en`` = ``<field>`` for every translated field of every row."""
    for model_name, fields in TRANSLATED.items():
        model = apps.get_model("mailing", model_name)
        model.objects.update(**{f"{field}_en": models.F(field) for field in fields})


def copy_back(apps, schema_editor):
    for model_name, fields in TRANSLATED.items():
        model = apps.get_model("mailing", model_name)
        model.objects.filter(**{f"{field}_en__isnull": False for field in fields[:1]}).update(
            **{field: models.F(f"{field}_en") for field in fields}
        )


# The Slovenian names of the two lists 0002 created (kept where a coordinator has written one).
SLOVENIAN = {
    "network-news": {
        "name_sl": "Novice mreže",
        "description_sl": "Novice, dogodki in spletni seminarji Mreže za občansko znanost. Odprto za vse.",
    },
    "partners-information-exchange": {
        "name_sl": "Izmenjava informacij med partnerji",
        "description_sl": (
            "Izmenjava informacij med ljudmi iz partnerskih organizacij mreže. "
            "Vsako prijavo odobri koordinator."
        ),
    },
}


def name_seeded_lists_in_slovenian(apps, schema_editor):
    MailingList = apps.get_model("mailing", "MailingList")
    for slug, values in SLOVENIAN.items():
        MailingList.objects.filter(slug=slug, name_sl__isnull=True).update(**values)


class Migration(migrations.Migration):

    dependencies = [
        ('mailing', '0003_announcement_chain'),
    ]

    operations = [
        migrations.AddField(
            model_name='mailinglist',
            name='description_en',
            field=models.TextField(blank=True, null=True, verbose_name='description'),
        ),
        migrations.AddField(
            model_name='mailinglist',
            name='description_sl',
            field=models.TextField(blank=True, null=True, verbose_name='description'),
        ),
        migrations.AddField(
            model_name='mailinglist',
            name='name_en',
            field=models.CharField(max_length=200, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='mailinglist',
            name='name_sl',
            field=models.CharField(max_length=200, null=True, verbose_name='name'),
        ),
        migrations.RunPython(copy_to_english, copy_back),
        migrations.RunPython(name_seeded_lists_in_slovenian, migrations.RunPython.noop),
    ]

"""Each partner's name as a sort key in English and in Slovenian (``core.collation``), filled for
the partners that exist; ``Partner.save`` keeps them current."""

from django.db import migrations, models


def fill_sort_names(apps, schema_editor):
    from core.collation import sort_key

    Partner = apps.get_model("network", "Partner")
    for partner in Partner.objects.only("pk", "name_en", "name_sl").iterator():
        english = partner.name_en or partner.name_sl or ""
        slovenian = partner.name_sl or partner.name_en or ""
        Partner.objects.filter(pk=partner.pk).update(
            sort_name_en=sort_key(english, "en")[:300], sort_name_sl=sort_key(slovenian, "sl")[:300]
        )


class Migration(migrations.Migration):

    dependencies = [
        ('network', '0003_content_in_both_languages'),
    ]

    operations = [
        migrations.AddField(
            model_name='partner',
            name='sort_name_en',
            field=models.CharField(blank=True, default='', editable=False, max_length=300),
        ),
        migrations.AddField(
            model_name='partner',
            name='sort_name_sl',
            field=models.CharField(blank=True, default='', editable=False, max_length=300),
        ),
        migrations.RunPython(fill_sort_names, migrations.RunPython.noop),
    ]

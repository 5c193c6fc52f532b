"""Default orderings name the English columns (a plain "name" would follow the active language)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('network', '0004_partner_sort_names'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='partner',
            options={'ordering': ['sort_name_en', 'id'], 'permissions': [('moderate_partner', 'Can approve, reject, publish and archive partners')], 'verbose_name': 'partner', 'verbose_name_plural': 'partners'},
        ),
        migrations.AlterModelOptions(
            name='servicemodule',
            options={'ordering': ['order', 'name_en'], 'verbose_name': 'service module', 'verbose_name_plural': 'service modules'},
        ),
        migrations.AlterModelOptions(
            name='serviceoffer',
            options={'ordering': ['module__order', 'partner__sort_name_en'], 'verbose_name': 'service offer', 'verbose_name_plural': 'service offers'},
        ),
        migrations.AlterModelOptions(
            name='workinggroup',
            options={'ordering': ['name_en', 'id'], 'verbose_name': 'working group', 'verbose_name_plural': 'working groups'},
        ),
        migrations.AlterModelOptions(
            name='workinggroupoutput',
            options={'ordering': ['-date', 'title_en'], 'verbose_name': 'output', 'verbose_name_plural': 'outputs'},
        ),
    ]

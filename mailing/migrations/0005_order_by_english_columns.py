"""Default orderings name the English columns (a plain "name" would follow the active language)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('mailing', '0004_content_in_both_languages'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='mailinglist',
            options={'ordering': ['position', 'name_en'], 'verbose_name': 'mailing list', 'verbose_name_plural': 'mailing lists'},
        ),
    ]

"""The language an applicant applied in (answers to them are written in it)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('network', '0006_contact_coordinator_partner'),
    ]

    operations = [
        migrations.AddField(
            model_name='partner',
            name='application_language',
            field=models.CharField(blank=True, max_length=10, verbose_name='application language'),
        ),
    ]

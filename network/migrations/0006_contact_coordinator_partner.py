"""The coordinator's organisation as a partner, whose name the pages show in the visitor's language."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('network', '0005_order_by_english_columns'),
    ]

    operations = [
        migrations.AddField(
            model_name='networkcontact',
            name='coordinator_partner',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='network.partner', verbose_name="coordinator's organisation (partner)"),
        ),
    ]

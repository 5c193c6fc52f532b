from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("outbox", "0003_secret"),
    ]

    operations = [
        migrations.AddField(
            model_name="outgoingemail",
            name="renderer",
            field=models.CharField(blank=True, default="", max_length=100, verbose_name="renderer"),
        ),
        migrations.AddField(
            model_name="outgoingemail",
            name="render_args",
            field=models.JSONField(blank=True, default=dict, verbose_name="render arguments"),
        ),
    ]

"""Registration questions per event (in both languages), answers and the registrant's own time zone on each registration."""

import django.db.models.deletion
import events.models
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0002_content_in_both_languages'),
    ]

    operations = [
        migrations.AddField(
            model_name='registration',
            name='answers',
            field=models.JSONField(blank=True, default=dict, verbose_name='answers'),
        ),
        migrations.AddField(
            model_name='registration',
            name='time_zone',
            field=models.CharField(blank=True, max_length=64, validators=[events.models.validate_time_zone_or_empty], verbose_name="registrant's time zone"),
        ),
        migrations.CreateModel(
            name='RegistrationQuestion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('short_text', 'Short text'), ('long_text', 'Long text'), ('one_choice', 'One choice'), ('several_choices', 'Several choices'), ('yes_no', 'Yes or no')], default='short_text', max_length=20, verbose_name='kind')),
                ('label', models.CharField(max_length=300, verbose_name='question')),
                ('label_en', models.CharField(max_length=300, null=True, verbose_name='question')),
                ('label_sl', models.CharField(max_length=300, null=True, verbose_name='question')),
                ('help_text', models.CharField(blank=True, max_length=500, verbose_name='help text')),
                ('help_text_en', models.CharField(blank=True, max_length=500, null=True, verbose_name='help text')),
                ('help_text_sl', models.CharField(blank=True, max_length=500, null=True, verbose_name='help text')),
                ('choices', models.TextField(blank=True, verbose_name='choices (one per line)')),
                ('choices_en', models.TextField(blank=True, null=True, verbose_name='choices (one per line)')),
                ('choices_sl', models.TextField(blank=True, null=True, verbose_name='choices (one per line)')),
                ('required', models.BooleanField(default=False, verbose_name='required')),
                ('order', models.PositiveSmallIntegerField(default=100, verbose_name='order')),
                ('is_access_needs', models.BooleanField(default=False, editable=False, verbose_name='access needs question')),
                ('event', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='questions', to='events.event', verbose_name='event')),
            ],
            options={
                'verbose_name': 'registration question',
                'verbose_name_plural': 'registration questions',
                'ordering': ['order', 'id'],
                'constraints': [models.CheckConstraint(condition=models.Q(('kind__in', ['short_text', 'long_text', 'one_choice', 'several_choices', 'yes_no'])), name='question_kind_valid'), models.CheckConstraint(condition=models.Q(('label', ''), _negated=True), name='question_label_not_empty')],
            },
        ),
    ]

"""The applicant's contact moves to private fields (``application_email``/``application_phone``).

Pending applications made before this change held the applicant's address and phone in the
public ``email``/``phone``: they move to the private fields. Partners already published or archived
that came from the join form (not imported, with a contact person) get a private copy; their
public address is left for a coordinator to decide. Duplicate pending applications (same address
and name, from double submits) are archived and flagged for review, so the new constraint holds.
"""

import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models


def move_applicant_contact(apps, schema_editor):
    Partner = apps.get_model("network", "Partner")
    seen: dict[tuple[str, str], int] = {}
    for partner in Partner.objects.filter(source_key__isnull=True, application_email="").order_by("pk"):
        if partner.status == "pending":
            partner.application_email, partner.application_phone = partner.email, partner.phone
            partner.email = partner.phone = ""
            key = (partner.application_email.lower(), partner.name.lower())
            if partner.application_email and key in seen:
                partner.status = "archived"
                partner.needs_review = True
                partner.review_reason = f"Duplicate of the application #{seen[key]} (a double submit)."[:300]
            else:
                seen[key] = partner.pk
        elif partner.contact_name and (partner.email or partner.phone):
            partner.application_email, partner.application_phone = partner.email, partner.phone
        else:
            continue
        partner.save(
            update_fields=["application_email", "application_phone", "email", "phone", "status", "needs_review",
                           "review_reason"]
        )


class Migration(migrations.Migration):

    dependencies = [
        ('network', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='partner',
            name='application_email',
            field=models.EmailField(blank=True, help_text='Private: where answers about the application go. Not shown on the public pages.', max_length=254, verbose_name="applicant's email"),
        ),
        migrations.AddField(
            model_name='partner',
            name='application_phone',
            field=models.CharField(blank=True, help_text='Private: not shown on the public pages.', max_length=60, verbose_name="applicant's phone"),
        ),
        migrations.AlterField(
            model_name='partner',
            name='contact_name',
            field=models.CharField(blank=True, help_text='Private: not shown on the public pages.', max_length=200, verbose_name='contact person'),
        ),
        migrations.RunPython(move_applicant_contact, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='partner',
            constraint=models.UniqueConstraint(django.db.models.functions.text.Lower('application_email'), django.db.models.functions.text.Lower('name'), condition=models.Q(('status', 'pending'), models.Q(('application_email', ''), _negated=True)), name='partner_one_pending_application'),
        ),
    ]

"""The network's default listing criteria, in English and Slovenian. Coordinators edit them in the
admin afterwards; this only fills an empty table."""

from django.db import migrations

DEFAULT_CRITERIA = [
    (
        "The project asks a real research question.",
        "It says what it wants to find out and why, and researchers take part in answering it.",
        "Projekt zastavlja pravo raziskovalno vprašanje.",
        "Pove, kaj želi ugotoviti in zakaj, pri iskanju odgovora pa sodelujejo raziskovalci.",
    ),
    (
        "Participants have a real role.",
        "It says what participants do, what they need and how much time it takes, and their contribution "
        "counts towards the results.",
        "Sodelujoči imajo pravo vlogo.",
        "Pove, kaj sodelujoči delajo, kaj potrebujejo in koliko časa jim vzame, njihov prispevek pa šteje "
        "za rezultate.",
    ),
    (
        "Data are handled and shared responsibly.",
        "It says which data are collected, who keeps them and how they are shared: openly, wherever possible.",
        "Podatki se obravnavajo in delijo odgovorno.",
        "Pove, katere podatke zbira, kdo jih hrani in kako jih deli: odprto, kjer je le mogoče.",
    ),
    (
        "Results are returned to participants.",
        "Participants learn what came of their work: findings, publications or data they can use.",
        "Rezultati se vrnejo sodelujočim.",
        "Sodelujoči izvejo, kaj je nastalo iz njihovega dela: ugotovitve, objave ali podatke, ki jih lahko uporabijo.",
    ),
    (
        "Ethics and consent are taken care of.",
        "Participants know what they agree to and can withdraw at any time; personal data are protected as the "
        "GDPR requires, and the project has ethical approval where it needs one.",
        "Poskrbljeno je za etiko in privolitev.",
        "Sodelujoči vedo, v kaj privolijo, in lahko kadar koli odstopijo; osebni podatki so zaščiteni, kot "
        "zahteva GDPR, projekt pa ima, kjer je treba, soglasje etične komisije.",
    ),
]


def create_defaults(apps, schema_editor):
    ListingCriterion = apps.get_model("projects", "ListingCriterion")
    db = schema_editor.connection.alias
    if ListingCriterion.objects.using(db).exists():
        return
    for index, (label_en, help_en, label_sl, help_sl) in enumerate(DEFAULT_CRITERIA, start=1):
        ListingCriterion.objects.using(db).create(
            order=index * 10, active=True,
            label=label_en, label_en=label_en, label_sl=label_sl,
            help_text=help_en, help_text_en=help_en, help_text_sl=help_sl,
        )


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]

"""Forms counted by totals before the whole ballots invalid were kept: fill in the number their
result was worked out with (collected minus the ballots a person's totals cover), so that the page
shows it and the form reads the same as before."""

from django.db import migrations


def fill(apps, schema_editor):
    BallotForm = apps.get_model("conferences", "BallotForm")
    HandTotal = apps.get_model("voting", "HandTotal")
    for form in BallotForm.objects.filter(mode="totals", whole_invalid_by_hand__isnull=True):
        first = HandTotal.objects.filter(form=form).order_by("pk").first()
        if first is None:
            continue
        covered = sum(first.counts.values()) + first.row_invalid
        form.whole_invalid_by_hand = max((form.collected or 0) - covered, 0)
        form.save(update_fields=["whole_invalid_by_hand"])


class Migration(migrations.Migration):
    dependencies = [
        ("conferences", "0011_ballotform_whole_invalid_by_hand"),
        ("voting", "0004_entry_pass_complete_is_derived"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]

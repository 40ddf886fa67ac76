"""A page's SHA-256 is now that of its stored PNG file (before: of its decoded pixels), so that
anyone can check the images against the sealed record with sha256sum."""

import hashlib

from django.db import migrations


def hash_stored_files(apps, schema_editor):
    ScannedPage = apps.get_model("scanning", "ScannedPage")
    for page in ScannedPage.objects.exclude(image="").iterator():
        try:
            with page.image.open("rb") as handle:
                page.sha256 = hashlib.sha256(handle.read()).hexdigest()
        except FileNotFoundError:
            continue  # the image is gone: keep the old hash, verification will say so
        page.save(update_fields=["sha256"])


class Migration(migrations.Migration):
    dependencies = [("scanning", "0002_page_waits_for_its_ballot")]

    operations = [migrations.RunPython(hash_stored_files, migrations.RunPython.noop)]

"""Every change to a model has its migration: a field's choices or label changed without one would be
made on the office's database by nobody, and `tinnhiem serve --migrate` would not know it."""

import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", verbosity=1, stdout=out)
        exit_code = 0
    except SystemExit as missing:  # --check exits 1 when a migration would be made
        exit_code = missing.code
    assert exit_code == 0, "a model change has no migration:\n" + out.getvalue()
    assert "No changes detected" in out.getvalue()

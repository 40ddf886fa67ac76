"""Django's ``changepassword``, unlisted (``tinnhiem account NAME --password`` does the same),
with its audit event, as a password set with ``tinnhiem account`` or on the administration pages
has (``account.saved``, password set)."""

from __future__ import annotations

import getpass

from django.contrib.auth import get_user_model
from django.contrib.auth.management.commands import changepassword
from django.db import transaction

from tinnhiem.accounts.usecases import record_account


class Command(changepassword.Command):
    def handle(self, *args, **options):
        done = super().handle(*args, **options)  # raises CommandError unless the password changed
        model = get_user_model()
        username = options["username"] or getpass.getuser()
        user = model._default_manager.db_manager(options["database"]).get_by_natural_key(username)
        with transaction.atomic():
            record_account("system", user, created=False, password_set=True)
        return done

"""Django's ``createsuperuser``, unlisted (accounts are made with ``tinnhiem account``, by role),
with its audit event: a superuser made on the site's machine is in the log like any other account
(``account.saved``, marked superuser). ``tinnhiem.accounts`` comes before ``django.contrib.auth``
in INSTALLED_APPS so that this command is the one run."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.management.commands import createsuperuser
from django.db import transaction

from tinnhiem.accounts.usecases import record_account


class Command(createsuperuser.Command):
    def handle(self, *args, **options):
        users = get_user_model()._default_manager.db_manager(options["database"])
        before = set(users.values_list("pk", flat=True))
        super().handle(*args, **options)
        with transaction.atomic():  # not around the prompts: the site's writes must not wait on a typist
            for user in users.exclude(pk__in=before):
                record_account("system", user, created=True, password_set=user.has_usable_password())

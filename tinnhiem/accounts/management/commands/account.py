"""``tinnhiem account``: make or change a login account, or list them (docs/cli.md).

The first administrator of a new site is made here; the others can then be made on the
administration pages. A password is asked twice on a terminal and never given on the command
line (it would stay in the shell's history); from a script, the first line of standard input is
the password.
"""

from __future__ import annotations

import getpass
import sys

from django.core.exceptions import ValidationError
from django.core.management import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tinnhiem.accounts.roles import ROLES, role_label, roles_text
from tinnhiem.accounts.usecases import account_exists, check_login_name, list_accounts, save_account
from tinnhiem.site.commands import TinnhiemCommand


class Command(TinnhiemCommand):
    stealth_options = ("stdin",)
    help = gettext_lazy(
        "Make or change a login account (roles, name, password, enabled), or list the accounts. "
        "A new account needs a password and at least one role."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username", nargs="?", metavar=_("LOGIN_NAME"), help=_("the account's login name"))
        parser.add_argument(
            "--role",
            action="append",
            choices=list(ROLES),
            metavar=_("ROLE"),
            help=_("a role of the account (repeat for several; given, they replace the roles it had): %(roles)s")
            % {"roles": "; ".join(f"{key} = {role_label(key)}" for key in ROLES)},
        )
        parser.add_argument(
            "--name", metavar=_("FULL_NAME"), help=_("the person's full name, e.g. “Phạm Thị Thu Trang”")
        )
        parser.add_argument(
            "--password",
            action="store_true",
            help=_("set a new password (asked twice; from a script, the first line of standard input)"),
        )
        state = parser.add_mutually_exclusive_group()
        state.add_argument("--disable", action="store_true", help=_("the account can no longer sign in"))
        state.add_argument("--enable", action="store_true", help=_("the account can sign in again"))
        parser.add_argument("--list", action="store_true", help=_("list the accounts with their roles"))

    def handle(self, *args, **options) -> None:
        self.stdin = options.get("stdin", sys.stdin)
        if options["list"]:
            self._list()
            return
        username = options["username"]
        if not username:
            raise CommandError(_("Give a login name, or --list."))
        active = False if options["disable"] else True if options["enable"] else None
        try:
            check_login_name(username)  # before the password is asked
            new = not account_exists(username)
            password = self._password() if options["password"] or new else None
            user, created = save_account(
                "system", username, roles=options["role"], full_name=options["name"], password=password, active=active
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        message = _("Account “%(username)s” created.") if created else _("Account “%(username)s” changed.")
        self.stdout.write(message % {"username": user.username})
        roles = [g.name for g in user.groups.all() if g.name in ROLES]
        self.stdout.write(_("Roles: %(roles)s") % {"roles": roles_text(roles)})
        if not user.is_active:
            self.stdout.write(_("The account is disabled: it cannot sign in."))

    def _password(self) -> str:
        if self.stdin.isatty():
            first = getpass.getpass(_("Password: "))
            if getpass.getpass(_("The password again: ")) != first:
                raise CommandError(_("The two passwords differ; nothing was saved."))
            return first
        line = self.stdin.readline().rstrip("\r\n")
        if not line:
            raise CommandError(_("No password on standard input; nothing was saved."))
        return line

    def _list(self) -> None:
        accounts = list_accounts()
        if not accounts:
            self.stdout.write(_("No account yet. Make the first: tinnhiem account NAME --role admin"))
            return
        login = max(len(a.username) for a in accounts)
        name = max(len(a.full_name or "—") for a in accounts)
        for a in accounts:
            state = "" if a.active else " " + _("(disabled)")
            self.stdout.write(
                f"{a.username.ljust(login)}  {(a.full_name or '—').ljust(name)}  {roles_text(a.roles)}{state}"
            )

"""The words of Python's argparse that a user of ``tinnhiem`` reads (Python 3.11–3.13), listed for
the translation catalog; ``tinnhiem.i18n.install_argparse_translation`` makes argparse use them.

Never called: ``makemessages`` reads the calls below from the source."""

from __future__ import annotations

from django.utils.translation import gettext_noop, ngettext


def _words() -> None:  # pragma: no cover - read by makemessages, never run
    gettext_noop("usage: ")
    gettext_noop("positional arguments")
    gettext_noop("options")
    gettext_noop("show this help message and exit")
    gettext_noop("argument %(argument_name)s: %(message)s")
    gettext_noop("%(prog)s: error: %(message)s\n")
    gettext_noop("the following arguments are required: %s")
    gettext_noop("unrecognized arguments: %s")
    gettext_noop("invalid choice: %(value)r (choose from %(choices)s)")
    gettext_noop("invalid %(type)s value: %(value)r")
    gettext_noop("expected one argument")
    gettext_noop("expected at most one argument")
    gettext_noop("expected at least one argument")
    ngettext("expected %s argument", "expected %s arguments", 2)
    gettext_noop("ambiguous option: %(option)s could match %(matches)s")
    gettext_noop("not allowed with argument %s")
    gettext_noop("one of the arguments %s is required")
    gettext_noop("ignored explicit argument %r")
    gettext_noop("unknown parser %(parser_name)r (choices: %(choices)s)")
    gettext_noop("can't open '%(filename)s': %(error)s")

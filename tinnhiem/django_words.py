"""Words of Django's administration pages that Django's own Vietnamese catalog lacks (Django 5.2),
listed for tinnhiem's catalog, which Django consults first (``LOCALE_PATHS``). The administrator
reads them on the account pages (``tinnhiem/accounts/admin.py``).

Never called: ``makemessages`` reads the calls below from the source. The list was made by
comparing Django's English catalogs of ``django.contrib.admin`` and ``django.contrib.auth`` with
its Vietnamese ones; a test checks that each is translated in ours.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop, ngettext


def _words() -> None:  # pragma: no cover - read by makemessages, never run
    gettext_noop("Select this object for an action - {}")
    gettext_noop("Breadcrumbs")
    gettext_noop("Model name")
    gettext_noop("Add link")
    gettext_noop("Change or view list link")
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options.")
    gettext_noop("Error:")
    gettext_noop("Set password")
    ngettext("Please correct the error below.", "Please correct the errors below.", 2)
    gettext_noop("This action will <strong>enable</strong> password-based authentication for this user.")
    gettext_noop("Disable password-based authentication")
    gettext_noop("Enable password-based authentication")
    gettext_noop("Skip to main content")
    gettext_noop("Hide counts")
    gettext_noop("Show counts")
    gettext_noop("Toggle theme (current theme: auto)")
    gettext_noop("Toggle theme (current theme: light)")
    gettext_noop("Toggle theme (current theme: dark)")
    gettext_noop("Added:")
    gettext_noop("Changed:")
    gettext_noop("Deleted:")
    gettext_noop("Forgotten your login credentials?")
    gettext_noop("Toggle navigation")
    gettext_noop("Sidebar")
    gettext_noop("Filter navigation items")
    gettext_noop("View selected %(model)s")
    gettext_noop("In case you’ve forgotten, you are:")
    gettext_noop("Select all objects on this page for an action")
    gettext_noop("Conflicting form data submitted. Please try again.")
    gettext_noop("Password-based authentication was disabled.")
    gettext_noop("Set password: %s")
    gettext_noop("Reset password")
    gettext_noop(
        "Whether the user will be able to authenticate using a password or not. If disabled, they may still be able to authenticate using other backends, such as Single Sign-On or LDAP."
    )
    gettext_noop("Password-based authentication")
    gettext_noop("Enabled")
    gettext_noop("Disabled")
    gettext_noop("Raw passwords are not stored, so there is no way to see the user’s password.")
    gettext_noop("Enable password-based authentication for this user by setting a password.")
    ngettext(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        2,
    )
    gettext_noop(
        "Enter a valid username. This value may contain only unaccented lowercase a-z and uppercase A-Z letters, numbers, and @/./+/-/_ characters."
    )

"""Words of Django that tinnhiem's catalog translates, which Django consults first
(``LOCALE_PATHS``):

- those of the administration pages that Django's own Vietnamese catalog lacks (Django 5.2); the
  administrator reads them on the account pages (``tinnhiem/accounts/admin.py``). The list was made
  by comparing Django's English catalogs of ``django.contrib.admin`` and ``django.contrib.auth``
  with its Vietnamese ones;
- the errors of a form's fields that an office reads on tinnhiem's pages, where Django's
  Vietnamese says something else ("Enter a whole number." is "Nhập một số tổng thể.", a sum; "Enter
  a valid email address." is "Nhập địa chỉ email.", as if none were typed) or reads as a word for
  word translation ("Đảm bảo giá trị này là nhỏ hơn hoặc bằng với 2100 .").

Never called: ``makemessages`` reads the calls below from the source; a test checks that each is
translated in ours.
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


def _form_errors() -> None:  # pragma: no cover - read by makemessages, never run
    gettext_noop("Enter a whole number.")
    gettext_noop("Enter a number.")
    gettext_noop("Enter a valid email address.")
    gettext_noop("Enter a valid value.")
    gettext_noop("Ensure this value is less than or equal to %(limit_value)s.")
    gettext_noop("Ensure this value is greater than or equal to %(limit_value)s.")
    ngettext(
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
        2,
    )
    ngettext(
        "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
        2,
    )
    gettext_noop("Select a valid choice. %(value)s is not one of the available choices.")
    gettext_noop("Select a valid choice. That choice is not one of the available choices.")
    gettext_noop("Enter a list of values.")
    gettext_noop("No file was submitted. Check the encoding type on the form.")
    gettext_noop("No file was submitted.")
    gettext_noop("The submitted file is empty.")
    ngettext(
        "Ensure this filename has at most %(max)d character (it has %(length)d).",
        "Ensure this filename has at most %(max)d characters (it has %(length)d).",
        2,
    )

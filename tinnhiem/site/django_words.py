"""Django's own messages that its Vietnamese catalog lacks (Django 5.2) and that a page of tinnhiem
can still show: a model's validation of a value a use case checks (a row removed between the page
and the save, ``full_clean``'s foreign key), a malformed identifier in an address or a form. Named
here so that ``makemessages`` puts them in tinnhiem's catalog, where they are translated;
``LOCALE_PATHS`` come before Django's catalogs, so Django finds them there.
``tests/test_translations.py`` checks that each is still Django's own text and comes out in
Vietnamese: a message Django rewords in a later version would otherwise fall back to English.
"""

from django.utils.translation import gettext_noop

MESSAGES = (
    gettext_noop("%(model)s instance with %(field)s %(value)r is not a valid choice."),
    gettext_noop("“%(value)s” is not a valid UUID."),
    gettext_noop("Enter a valid UUID."),
    gettext_noop("Null characters are not allowed."),
    gettext_noop("“%(value)s” value must be an integer."),
    gettext_noop("“%(value)s” value must be either True or False."),
    gettext_noop("“%(value)s” value has an invalid date format. It must be in YYYY-MM-DD format."),
    gettext_noop("“%(value)s” value has the correct format (YYYY-MM-DD) but it is an invalid date."),
)

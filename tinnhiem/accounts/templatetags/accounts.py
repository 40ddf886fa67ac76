"""``{{ user|person_name }}``: a login's name as Vietnamese writes it, family name first
("Phạm Thị Thu Trang"; Django's ``get_full_name`` gives "Trang Phạm Thị Thu"), or the login name."""

from django import template

from tinnhiem.accounts.usecases import full_name_of

register = template.Library()


@register.filter
def person_name(user) -> str:
    return full_name_of(user) or user.get_username()

"""``tinnhiem serve`` refuses unsafe settings."""

import pytest
from django.core.management import CommandError, call_command

from tinnhiem.site.management.commands.serve import check_production_settings


def test_safe_settings_pass(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["192.168.1.10"]
    settings.SECRET_KEY = "x" * 50
    assert check_production_settings() == []


@pytest.mark.parametrize(
    "change, words",
    [({"DEBUG": True}, "gỡ lỗi"), ({"ALLOWED_HOSTS": ["*"]}, "“*”"), ({"SECRET_KEY": "short"}, "Khoá bí mật")],
)
def test_unsafe_settings_refuse_to_start(settings, change, words):
    settings.DEBUG, settings.ALLOWED_HOSTS, settings.SECRET_KEY = False, ["127.0.0.1"], "y" * 50
    for key, value in change.items():
        setattr(settings, key, value)
    with pytest.raises(CommandError) as info:
        call_command("serve", "--port", "1")
    assert words in str(info.value)

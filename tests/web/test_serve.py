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


@pytest.mark.parametrize("proxy, secure", [("1", True), ("", False)])
def test_https_proxy_switch(tmp_path, proxy, secure):
    """Only TINNHIEM_BEHIND_TLS_PROXY=1 trusts X-Forwarded-Proto and makes the cookies HTTPS-only."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "TINNHIEM_DATA_DIR": str(tmp_path), "TINNHIEM_BEHIND_TLS_PROXY": proxy}
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'tinnhiem.site.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(s.SECURE_PROXY_SSL_HEADER, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    expected = "('HTTP_X_FORWARDED_PROTO', 'https') True True" if secure else "None False False"
    assert out.strip() == expected

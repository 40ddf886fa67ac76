from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "tinnhiem.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from .roles import ensure_roles

        post_migrate.connect(lambda **kwargs: ensure_roles(), dispatch_uid="tinnhiem-ensure-roles", weak=False)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "mutualaid.accounts"
    label = "accounts"
    verbose_name = _("Organisations and users")

    def ready(self):
        from mutualaid.tenancy.access import (
            access_organisation,
            access_staff,
            register_reach,
        )

        register_reach("organisation_id", access_organisation)
        register_reach("user_id", access_staff)

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class TenancyConfig(AppConfig):
    name = "mutualaid.tenancy"
    label = "tenancy"
    verbose_name = _("Tenants and organisations")

    def ready(self):
        from mutualaid.tenancy import rls

        # Row-level security, composite keys and grants, after every migrate (rls.py).
        post_migrate.connect(rls.on_post_migrate, sender=self, dispatch_uid="tenancy-rls")

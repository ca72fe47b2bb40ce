from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PremiumsConfig(AppConfig):
    name = "premiums"
    verbose_name = _("Premiums")

    def ready(self):
        from mutualaid.tenancy.access import register_reach
        from premiums.access import access_invoice, access_payment, access_renewal

        register_reach("invoice_id", access_invoice)
        register_reach("payment_id", access_payment)
        register_reach("renewal_id", access_renewal)
        from premiums import notices  # noqa: F401 - registers the notification kinds
        from premiums.inbox import register_sources

        register_sources()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TradeConfig(AppConfig):
    name = "harbor.trade"
    label = "trade"
    verbose_name = _("Trade rules")

    def ready(self) -> None:
        from harbor.trade import demo, permissions, services  # noqa: F401 - rules, demo loader, import job

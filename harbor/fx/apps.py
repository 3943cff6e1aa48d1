from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FxConfig(AppConfig):
    name = "harbor.fx"
    label = "fx"
    verbose_name = _("Exchange rates")

    def ready(self) -> None:
        from harbor.fx import demo, importers, permissions  # noqa: F401 - demo loader, import job, rules

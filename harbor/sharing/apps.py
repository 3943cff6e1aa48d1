from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    name = "harbor.sharing"
    label = "sharing"
    verbose_name = _("Information sharing")

    def ready(self) -> None:
        from harbor.sharing import permissions  # noqa: F401 - registers the permission rules

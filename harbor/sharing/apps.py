from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    name = "harbor.sharing"
    label = "sharing"
    verbose_name = _("Information sharing")

    def ready(self) -> None:
        from harbor.search.sources import register_source
        from harbor.sharing import demo, importer, permissions  # noqa: F401 - rules, demo loader, import job
        from harbor.sharing.indexing import RECORD_SOURCE

        register_source(RECORD_SOURCE)

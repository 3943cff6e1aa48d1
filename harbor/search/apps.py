from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "harbor.search"
    label = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from harbor.search import rebuild  # noqa: F401 - registers the rebuild job

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LanguageConfig(AppConfig):
    name = "harbor.language"
    label = "language"
    verbose_name = _("Language services")

    def ready(self) -> None:
        from harbor.language import demo, permissions  # noqa: F401 - registers rules and the demo loader

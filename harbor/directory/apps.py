from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "harbor.directory"
    label = "directory"
    verbose_name = _("Directory")

    def ready(self) -> None:
        from harbor.directory import demo, permissions  # noqa: F401 - registers rules and the demo loader

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferenceConfig(AppConfig):
    name = "harbor.reference"
    label = "reference"
    verbose_name = _("Reference data")

    def ready(self) -> None:
        from harbor.reference import services  # noqa: F401 - registers the reference.load job

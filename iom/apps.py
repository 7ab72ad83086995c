from django.apps import AppConfig


class IomConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "iom"
    verbose_name = "Integrated Offender Management"

    def ready(self) -> None:
        from iom import signals  # noqa: F401  (login audit receivers)

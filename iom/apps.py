from django.apps import AppConfig


class IomConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "iom"
    verbose_name = "Integrated Offender Management"

    def ready(self) -> None:
        # Connecting the login audit receivers imports the models, which is allowed only once the app registry is
        # ready: Django's documented place for it is here, not the top of this module.
        from iom import signals  # noqa: F401, PLC0415

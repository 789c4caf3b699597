from django.apps import AppConfig


class DistrictConfig(AppConfig):
    name = "district"
    verbose_name = "Districts and schools"

    def ready(self):
        # Registers the check of the database server's settings (lanes.W001).
        from . import database_settings  # noqa: F401

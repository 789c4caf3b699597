from django.apps import AppConfig


class GoalsConfig(AppConfig):
    name = "goals"
    verbose_name = "Goals and metrics"

    def ready(self):
        from . import deletion, rollup_sync  # noqa: F401  (connects the signals)

        deletion.connect()

from django.apps import AppConfig


class RhythmConfig(AppConfig):
    name = "rhythm"
    verbose_name = "Update rhythm"

    def ready(self):
        from district.due import register_due_source

        from .updates import metric_updates

        register_due_source(metric_updates)

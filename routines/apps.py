from django.apps import AppConfig


class RoutinesConfig(AppConfig):
    name = "routines"
    verbose_name = "Partnerships and routines"

    def ready(self):
        from district.demo import register_demo_step
        from district.due import register_due_source

        from .action_items import action_item_due_items
        from .demo import build_routines

        register_due_source(action_item_due_items)
        register_demo_step(build_routines)

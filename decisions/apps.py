from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "decisions"
    verbose_name = "Two-key decisions"

    def ready(self):
        from district.demo import register_demo_step
        from district.due import register_due_source

        from .demo import build_decisions
        from .timing import reviews_owed

        register_due_source(reviews_owed)
        register_demo_step(build_decisions)

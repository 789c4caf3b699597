from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "publishing"
    verbose_name = "Public dashboard and board packets"

    def ready(self):
        from district.demo import register_demo_step

        from .demo import build_publishing

        register_demo_step(build_publishing)

from django.apps import AppConfig


class TiersConfig(AppConfig):
    name = "tiers"
    verbose_name = "Tiers and supports"

    def ready(self):
        from district.demo import register_demo_step
        from district.school_sets import register_school_set_source

        from .demo import build_tiers
        from .school_sets import TIER_SETS

        register_school_set_source(TIER_SETS)
        register_demo_step(build_tiers)

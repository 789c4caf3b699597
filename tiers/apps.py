from django.apps import AppConfig


class TiersConfig(AppConfig):
    name = "tiers"
    verbose_name = "Tiers and supports"

    def ready(self):
        from district.school_sets import register_school_set_source

        from .school_sets import TIER_SETS

        register_school_set_source(TIER_SETS)

    def build_demo(self, district, *, password: str, acting_user) -> None:
        """The demo's tiers, rules and supports (called by goals' load_demo)."""
        from .demo import build_tiers

        build_tiers(district, password=password, acting_user=acting_user)

from django.apps import AppConfig


class ProjectConfig(AppConfig):
    """The project itself as an app: site-wide commands (``seed_demo``) and start-up."""

    name = "config"
    verbose_name = "TEMA–WTC"

    def ready(self) -> None:
        from pathlib import Path

        from django.conf import settings

        from config.celery import ensure_broker_folders

        ensure_broker_folders()
        # WhiteNoise warns at every start when the collected-files folder is missing.
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)

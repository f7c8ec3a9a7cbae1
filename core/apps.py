from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The Celery signals that name each worker process and start its heartbeat; and
        # UNACCENT() on SQLite connections, as PostgreSQL has it (accent-insensitive search).
        from core import search, workers  # noqa: F401

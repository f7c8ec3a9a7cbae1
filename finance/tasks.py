"""Finance's Celery tasks: the rendering of its PDFs and its periodic work (reminders, unpaid
deposits). Each task re-reads its rows and is safe to run twice."""

from __future__ import annotations

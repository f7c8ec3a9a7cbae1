from __future__ import annotations

from celery import shared_task

from studies import results_cache
from studies.services import evaluations, hours_alerts


@shared_task
def alert_co_teaching_hours() -> int:
    """Weekly (beat): tell the coordinators of agreements whose partners are behind or
    beyond the co-teaching hours promised, once per agreement, academic year and state."""
    return hours_alerts.hours_alerts_send()


@shared_task
def mix_evaluation_responses() -> int:
    """Hourly (beat): rewrite the new evaluation answers with the others, in a random order
    and one transaction, so that nothing in the database pairs them with who answered."""
    return evaluations.responses_mix()


@shared_task
def warm_results(cohort_pk: int) -> int:
    """After a jury publishes: render each student's "My programme" transcript ahead."""
    return results_cache.results_warm(cohort_pk=cohort_pk)

"""A large statement is recorded by the worker (finance.services.statements,
``statement_confirm_start``): confirming queues it, the page says it is being recorded, then
shows the outcome; the person who asked is notified; a lost task is queued again; a failure is
kept and said."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import Notification
from finance.models import Payment, StatementImport
from finance.services.statements import (
    statement_confirm,
    statement_confirm_start,
    statement_upload,
    statements_requeue,
)
from tests.factories.finance import statement_csv
from tests.finance.test_statements import NOV, billed, cashier, finance_client  # noqa: F401
from tests.helpers import mfa_login, wait_for

pytestmark = pytest.mark.django_db

RECORDING = 'data-testid="statement-recording"'


def two_lines(billed, cashier) -> StatementImport:  # noqa: F811
    return statement_upload(
        actor=cashier,
        upload=statement_csv(
            [f"{NOV};300000;{billed['a1'].number};A", f"{NOV};300000;{billed['b1'].number};B"]
        ),
    )


@pytest.fixture
def at_once_one(settings):
    settings.FINANCE_STATEMENT_LINES_AT_ONCE = 1


def test_a_statement_within_the_limit_is_recorded_in_the_request(billed, cashier):  # noqa: F811
    statement = two_lines(billed, cashier)
    result = statement_confirm_start(actor=cashier, statement=statement, method="transfer")
    assert result is not None
    assert Payment.objects.count() == 2
    statement.refresh_from_db()
    assert statement.queued_at is None
    assert statement.confirmed_at is not None


def test_a_larger_one_is_queued_and_the_page_says_it_is_being_recorded(
    at_once_one,
    billed,  # noqa: F811
    cashier,  # noqa: F811
    finance_client,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    statement = two_lines(billed, cashier)
    url = reverse("finance:statement_review", args=[statement.pk])
    with django_capture_on_commit_callbacks() as callbacks:
        done = finance_client.post(url, {"method": "ccp", "confirm": "yes"})
    assert done["Location"] == url
    assert len(callbacks) == 1  # the task, sent after commit
    said = [str(m) for m in get_messages(done.wsgi_request)]
    assert said[-1] == gettext(
        "The payments are being recorded in the background: this page shows the outcome when "
        "it is done, and you will be notified."
    )
    assert not Payment.objects.exists()
    statement.refresh_from_db()
    assert statement.recording
    assert (statement.queued_by, statement.method) == (cashier, "ccp")
    page = finance_client.get(url).content.decode()
    assert RECORDING in page
    assert '<meta http-equiv="refresh" content="5">' in page
    assert 'data-testid="statement-confirm"' not in page
    # A second confirmation meanwhile is refused: it is already being recorded.
    with pytest.raises(ValidationError) as refused:
        statement_confirm_start(actor=cashier, statement=statement, method="ccp")
    assert refused.value.code == "recording"


def test_the_worker_records_it_and_tells_who_asked(
    at_once_one,
    billed,  # noqa: F811
    cashier,  # noqa: F811
    settings,
    django_capture_on_commit_callbacks,
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    statement = two_lines(billed, cashier)
    with django_capture_on_commit_callbacks(execute=True):
        assert statement_confirm_start(actor=cashier, statement=statement, method="ccp") is None
    statement.refresh_from_db()
    assert statement.confirmed_at is not None
    assert not statement.recording
    assert sorted(Payment.objects.values_list("method", flat=True)) == ["ccp", "ccp"]
    (note,) = Notification.objects.filter(user=cashier)
    assert note.kind == Notification.Kind.PAYMENTS
    assert note.subject == gettext("Statement %(file)s recorded") % {"file": statement.filename}
    assert note.link == reverse("finance:statement_review", args=[statement.pk])
    assert "2" in note.body


def test_a_failure_is_kept_said_on_the_page_and_to_who_asked(
    at_once_one,
    billed,  # noqa: F811
    cashier,  # noqa: F811
    finance_client,  # noqa: F811
    settings,
    django_capture_on_commit_callbacks,
):
    statement = two_lines(billed, cashier)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        statement_confirm_start(actor=cashier, statement=statement, method="ccp")
    # Before the worker runs, the same lines are recorded from another import of the file.
    other = two_lines(billed, cashier)
    statement_confirm(actor=cashier, statement=other, method="transfer")
    settings.CELERY_TASK_ALWAYS_EAGER = True
    for callback in callbacks:
        callback()
    statement.refresh_from_db()
    why = gettext("No line of this statement can be recorded: nothing was recorded.")
    assert statement.failure == why
    assert statement.confirmed_at is None
    assert not statement.recording
    assert Payment.objects.count() == 2  # those of the other import only
    (note,) = Notification.objects.filter(user=cashier)
    assert note.subject == gettext("Statement %(file)s not recorded") % {"file": statement.filename}
    assert note.body == why
    page = html.unescape(
        finance_client.get(
            reverse("finance:statement_review", args=[statement.pk])
        ).content.decode()
    )
    assert gettext("The payments were not recorded: %(why)s") % {"why": why} in page


def test_a_statement_whose_task_was_lost_is_queued_again(
    at_once_one,
    billed,  # noqa: F811
    cashier,  # noqa: F811
    settings,
    django_capture_on_commit_callbacks,
):
    statement = two_lines(billed, cashier)
    with django_capture_on_commit_callbacks(execute=False):  # the broker never got it
        statement_confirm_start(actor=cashier, statement=statement, method="ccp")
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert statements_requeue() == 0  # too soon: it may still be running
    StatementImport.objects.filter(pk=statement.pk).update(
        queued_at=timezone.now() - dt.timedelta(minutes=11)
    )
    assert statements_requeue() == 1
    statement.refresh_from_db()
    assert statement.confirmed_at is not None
    assert Payment.objects.count() == 2
    assert statements_requeue() == 0


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_records_a_large_statement_confirmed_on_the_page(
    celery_worker_process,
    settings,
    at_once_one,
    billed,  # noqa: F811
    cashier,  # noqa: F811
):
    # The session's worker reads the uploaded file where the settings say (PRIVATE_ROOT).
    root = Path(settings.PRIVATE_ROOT)
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "core.storage.AtomicFileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    statement = two_lines(billed, cashier)
    client = Client()
    mfa_login(client, cashier)
    url = reverse("finance:statement_review", args=[statement.pk])
    try:
        client.post(url, {"method": "transfer", "confirm": "yes"})
        # The notification is written right after the payments' transaction commits.
        wait_for(
            lambda: Notification.objects.filter(user=cashier, kind="payments").exists(),
            timeout=60,
        )
        assert StatementImport.objects.get(pk=statement.pk).confirmed_at is not None
        assert Payment.objects.filter(method="transfer").count() == 2
        assert Notification.objects.filter(user=cashier, kind="payments").count() == 1
        page = client.get(url).content.decode()
        assert RECORDING not in page
        assert 'data-testid="recorded"' in page
    finally:
        statement.refresh_from_db()
        (root / (statement.file.name or "missing")).unlink(missing_ok=True)


def test_a_file_gone_before_the_worker_runs_is_a_failure_not_a_retry_forever(
    at_once_one,
    billed,  # noqa: F811
    cashier,  # noqa: F811
    settings,
    django_capture_on_commit_callbacks,
):
    statement = two_lines(billed, cashier)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        statement_confirm_start(actor=cashier, statement=statement, method="ccp")
    statement.file.storage.delete(statement.file.name or "")
    settings.CELERY_TASK_ALWAYS_EAGER = True
    for callback in callbacks:
        callback()
    statement.refresh_from_db()
    assert statement.failure == gettext("The file of this statement can no longer be read.")
    assert not statement.recording
    assert not Payment.objects.exists()
    StatementImport.objects.filter(pk=statement.pk).update(
        queued_at=timezone.now() - dt.timedelta(minutes=11)
    )
    assert statements_requeue() == 0  # failed: not queued again

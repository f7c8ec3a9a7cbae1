"""In-app notifications: every e-mail to a known person appears in their list, muting per
kind (never the mandatory ones), each person sees only their own, the header's count."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext

from accounts import notifications
from accounts.emails import absolute_url, email_compose
from accounts.models import Notification, NotificationPreference, OutgoingEmail
from accounts.services import email_queue, email_store
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

Kind = Notification.Kind


def _composed(to: list[str], path: str = "") -> EmailMessage:
    return email_compose(
        to=to,
        subject="Votre dossier",
        content="Le dossier est complet.",
        name="Amina",
        link_url=absolute_url(path) if path else "",
        link_label="Voir",
    )


# --- The hook in the e-mail path ------------------------------------------------------------------
def test_an_email_to_a_known_person_is_also_a_notification_with_the_callers_text_and_link():
    user = UserFactory.create()
    path = reverse("enrollment:intakes")
    outgoing = email_queue(_composed([user.email.upper()], path), kind=Kind.TIMETABLE)

    notification = Notification.objects.get(user=user)
    assert notification.kind == Kind.TIMETABLE
    assert notification.subject == "Votre dossier"
    # What the caller wrote, without the e-mail's greeting and footer; the site's path.
    assert notification.body == "Le dossier est complet."
    assert notification.link == path
    assert notification.email == outgoing


def test_an_email_to_an_address_without_an_account_creates_no_notification():
    email_queue(EmailMessage("Sujet", "Corps", to=["nobody@example.dz"]), kind=Kind.TIMETABLE)
    assert OutgoingEmail.objects.count() == 1
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("enrollment:intakes", Kind.ADMISSIONS),
        ("finance:my_fees", Kind.PAYMENTS),
        ("home", Kind.ACCOUNT),
        ("", Kind.ACCOUNT),
    ],
)
def test_an_email_whose_caller_names_no_kind_gets_a_mandatory_kind_from_its_link(url, kind):
    user = UserFactory.create()
    email_queue(_composed([user.email], reverse(url) if url else ""))
    assert Notification.objects.get(user=user).kind == kind
    assert kind in Notification.MANDATORY


def test_every_status_email_of_the_allauth_adapter_is_an_account_notification_without_its_link(
    client,
):
    user = UserFactory.create()
    client.post(reverse("account_reset_password"), {"email": user.email})
    notification = Notification.objects.get(user=user)
    assert notification.kind == Kind.ACCOUNT
    # The one-time link of the e-mail is not kept in the application.
    assert notification.body == ""
    assert notification.link == ""
    assert notification.email is not None


def test_a_one_time_link_of_an_email_is_not_kept_on_its_notification():
    # As finance's welcome e-mail to a sponsor's contact: "choose your password" by a link.
    user = UserFactory.create()
    path = reverse("account_reset_password_from_key", kwargs={"uidb36": "1", "key": "k-e-y"})
    email_queue(_composed([user.email], path))
    notification = Notification.objects.get(user=user)
    assert notification.kind == Kind.ACCOUNT
    assert notification.link == ""


# --- Muting ---------------------------------------------------------------------------------------
def test_a_muted_kind_is_notified_in_the_app_but_not_emailed():
    user = UserFactory.create()
    notifications.preferences_set(
        user=user, emailed=[k for k in Kind.values if k != Kind.TIMETABLE]
    )
    assert email_queue(_composed([user.email]), kind=Kind.TIMETABLE) is None
    assert not OutgoingEmail.objects.exists()
    notification = Notification.objects.get(user=user)
    assert notification.kind == Kind.TIMETABLE
    assert notification.email is None


def test_a_muted_recipient_is_left_out_of_an_email_the_others_still_get():
    muted, other = UserFactory.create(), UserFactory.create()
    NotificationPreference.objects.create(user=muted, kind=Kind.DOCUMENTS)
    outgoing = email_store(
        EmailMessage("Prêt", "Votre document", to=[muted.email, other.email, "x@example.dz"]),
        kind=Kind.DOCUMENTS,
    )
    assert outgoing is not None
    assert outgoing.to == [other.email, "x@example.dz"]
    assert Notification.objects.filter(user__in=[muted, other]).count() == 2
    assert Notification.objects.get(user=muted).email is None


def test_a_mandatory_kind_is_emailed_even_to_someone_who_muted_everything_else():
    user = UserFactory.create()
    notifications.preferences_set(user=user, emailed=Notification.MANDATORY)
    assert email_queue(_composed([user.email]), kind=Kind.RESULTS) is not None
    assert OutgoingEmail.objects.count() == 1


def test_the_mandatory_kinds_cannot_be_muted_by_the_service_nor_in_the_database():
    user = UserFactory.create()
    with pytest.raises(ValidationError):
        notifications.preferences_set(user=user, emailed=[Kind.ANNOUNCEMENTS])
    assert not NotificationPreference.objects.filter(user=user).exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        NotificationPreference.objects.create(user=user, kind=Kind.PAYMENTS)


def test_notify_with_an_email_stores_it_unless_the_kind_is_muted():
    user = UserFactory.create()
    sent = notifications.notify(
        user, Kind.ATTENDANCE, "Justificatif accepté", "Votre absence est justifiée.",
        "/me/programme/", email=EmailMessage("Justificatif accepté", "…", to=[user.email]),
    )  # fmt: skip
    assert sent.email is not None
    NotificationPreference.objects.create(user=user, kind=Kind.ATTENDANCE)
    kept = notifications.notify(
        user, Kind.ATTENDANCE, "Justificatif refusé", "",
        email=EmailMessage("Justificatif refusé", "…", to=[user.email]),
    )  # fmt: skip
    assert kept.email is None
    assert OutgoingEmail.objects.count() == 1
    assert Notification.objects.filter(user=user).count() == 2


# --- The pages ------------------------------------------------------------------------------------
def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_preferences_page_saves_the_boxes_and_never_mutes_a_mandatory_kind():
    user = UserFactory.create()
    client = _client(user)
    html = client.get(reverse("accounts:notification_preferences")).content.decode()
    for kind in Notification.MANDATORY:
        assert f'value="{kind}" checked disabled' in html
    assert f'value="{Kind.ANNOUNCEMENTS}" checked data-testid' in html
    # Nothing ticked (the disabled boxes are not posted), and a forged mandatory value off.
    response = client.post(reverse("accounts:notification_preferences"), {"emailed": []})
    assert response.status_code == 302
    muted = notifications.muted_kinds(user)
    assert muted == set(Kind.values) - Notification.MANDATORY
    html = client.get(reverse("accounts:notification_preferences")).content.decode()
    assert f'value="{Kind.ANNOUNCEMENTS}" data-testid' in html


def test_each_person_sees_and_opens_only_their_own_notifications():
    mine, theirs = UserFactory.create(), UserFactory.create()
    notifications.notify(mine, Kind.ANNOUNCEMENTS, "Pour moi", "", "/me/")
    other = notifications.notify(theirs, Kind.ANNOUNCEMENTS, "Pour quelqu'un d'autre")
    client = _client(mine)
    html = client.get(reverse("accounts:notifications")).content.decode()
    assert "Pour moi" in html
    assert "Pour quelqu&#x27;un d&#x27;autre" not in html
    response = client.post(reverse("accounts:notification_open", args=[other.pk]))
    assert response.status_code == 404
    client.post(reverse("accounts:notifications_read_all"))
    other.refresh_from_db()
    assert other.read_at is None
    assert not Notification.objects.filter(user=mine, read_at__isnull=True).exists()


def test_opening_a_notification_marks_it_read_and_leads_to_its_page():
    user = UserFactory.create()
    notification = notifications.notify(user, Kind.ANNOUNCEMENTS, "Salle changée", "", "/me/")
    response = _client(user).post(reverse("accounts:notification_open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/me/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_the_list_is_newest_first_marks_the_unread_and_filters_by_kind():
    user = UserFactory.create()
    notifications.notify(user, Kind.TIMETABLE, "Premier")
    read = notifications.notify(user, Kind.ANNOUNCEMENTS, "Deuxième")
    notifications.notification_open(user=user, pk=read.pk)
    client = _client(user)
    html = client.get(reverse("accounts:notifications")).content.decode()
    assert html.index("Deuxième") < html.index("Premier")
    assert html.count('class="notification unread"') == 1
    html = client.get(reverse("accounts:notifications"), {"kind": Kind.TIMETABLE}).content.decode()
    assert "Premier" in html
    assert "Deuxième" not in html


def test_the_header_shows_the_unread_count_without_a_query_of_its_own():
    user = UserFactory.create()
    client = _client(user)
    url = reverse("accounts:notifications")
    client.get(url)
    with CaptureQueriesContext(transaction.get_connection()) as none_unread:
        html = client.get(reverse("home")).content.decode()
    assert 'data-testid="unread-count"' not in html
    for n in range(3):
        notifications.notify(user, Kind.ANNOUNCEMENTS, f"Annonce {n}")
    with CaptureQueriesContext(transaction.get_connection()) as three_unread:
        html = client.get(reverse("home")).content.decode()
    assert '<span class="badge" data-testid="unread-count">3</span>' in html
    assert len(three_unread) == len(none_unread)
    # Counted inside the query that loads the user (accounts/backends.py), not on its own.
    assert not [
        q["sql"]
        for q in three_unread.captured_queries
        if q["sql"].startswith('SELECT COUNT(*) AS "__count" FROM "accounts_notification"')
    ]
    assert gettext("Notifications") in html


def test_the_list_makes_the_same_queries_for_2_or_12_notifications():
    user = UserFactory.create()
    client = _client(user)
    counts = []
    for total in (2, 12):
        while Notification.objects.filter(user=user).count() < total:
            notifications.notify(user, Kind.ANNOUNCEMENTS, "Annonce", "Texte", "/me/")
        with CaptureQueriesContext(transaction.get_connection()) as queries:
            html = client.get(reverse("accounts:notifications")).content.decode()
        assert html.count('data-testid="notification"') == total
        counts.append(len(queries))
    assert counts[0] == counts[1]

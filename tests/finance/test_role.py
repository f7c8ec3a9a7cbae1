"""The finance role: a staff role, so it must pass two-factor authentication."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from accounts.access import MFARequired, Role, check_access, has_role, is_staff_member
from accounts.models import RoleChange
from accounts.services import user_set_role
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db


def test_finance_is_a_staff_role_that_needs_mfa(make_user):
    without = make_user("finance", mfa=False)
    assert is_staff_member(without)
    with pytest.raises(MFARequired):
        check_access(without, [Role.FINANCE])
    check_access(make_user("finance"), [Role.FINANCE])


@pytest.mark.parametrize("persona", ["applicant", "student", "lecturer", "coordinator"])
def test_other_roles_do_not_hold_finance(make_user, persona):
    user = make_user(persona)
    assert not has_role(user, Role.FINANCE)
    with pytest.raises(PermissionDenied):
        check_access(user, [Role.FINANCE])


def test_the_admin_grants_finance_and_a_coordinator_may_not(make_user):
    person = UserFactory.create()
    with pytest.raises(PermissionDenied):
        user_set_role(actor=make_user("coordinator"), user=person, role=Role.FINANCE, granted=True)
    admin = make_user("admin")
    granted = user_set_role(actor=admin, user=person, role=Role.FINANCE, granted=True)
    assert granted.is_finance
    assert RoleChange.objects.get(user=person).role == "finance"


def test_the_people_list_filters_finance_and_applicants_only_exclude_it(make_user):
    from accounts.filters import PeopleFilter
    from accounts.models import User

    finance = make_user("finance")
    applicant = make_user("applicant")
    people = User.objects.all()
    assert list(PeopleFilter({"role": "finance"}, queryset=people).qs) == [finance]
    assert list(PeopleFilter({"role": "none"}, queryset=people).qs) == [applicant]

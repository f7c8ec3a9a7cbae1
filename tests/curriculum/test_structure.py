from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from curriculum import lmd
from curriculum.models import Module, Programme, TeachingUnit
from curriculum.selectors import programme_with_structure
from curriculum.structure import structure_problems

pytestmark = pytest.mark.django_db


def test_the_seeded_curriculum_passes_check_curriculum(programme, capsys):
    call_command("check_curriculum")
    assert "MCRT: structure sound (4 semesters, 120 credits)." in capsys.readouterr().out
    assert structure_problems(programme_with_structure(slug=programme.slug)) == []


def test_the_seeded_curriculum_follows_domain_section_4(programme):
    assert programme.modules.count() == 28
    assert programme.units.count() == 16
    for number in (1, 2, 3):
        units = TeachingUnit.objects.filter(semester__number=number, programme=programme)
        assert sum(u.credits for u in units) == 30
        assert sum(u.coefficient for u in units) == 16
    f111 = Module.objects.get(code="F1.1.1")
    assert (f111.credits, f111.coefficient, f111.w_cc, f111.w_exam) == (
        6,
        3,
        Decimal("0.40"),
        Decimal("0.60"),
    )
    assert f111.semester_hours(15) == Decimal("67.5")
    assert Module.objects.get(code="M1.1.3").w_cc == 1
    assert set(Module.objects.get(code="F2.2.1").partners.values_list("slug", flat=True)) == {
        "enp",
        "c-mec",
    }


def test_a_semester_with_wrong_credits_is_reported_and_the_command_fails(programme, capsys):
    Module.objects.filter(code="F1.1.1").update(credits=7)
    TeachingUnit.objects.filter(code="UEF1.1").update(credits=11)
    with pytest.raises(CommandError, match="problem"):
        call_command("check_curriculum")
    err = capsys.readouterr().err
    assert "S1" in err
    assert "31" in err
    problems = structure_problems(programme_with_structure(slug=programme.slug))
    assert {p.where for p in problems} == {"S1", "MCRT"}


def test_a_unit_whose_modules_do_not_add_up_is_reported(programme):
    Module.objects.filter(code="F1.1.2").update(credits=3, coefficient=1)
    problems = structure_problems(programme_with_structure(slug=programme.slug))
    wheres = [p.where for p in problems]
    assert wheres.count("UEF1.1") == 2  # credits and coefficient


def test_weights_that_do_not_add_up_to_one_are_reported(programme):
    Module.objects.filter(code="T1.1.1").update(w_cc=Decimal("0.50"), w_exam=Decimal("0.60"))
    problems = structure_problems(programme_with_structure(slug=programme.slug))
    assert [p.where for p in problems] == ["T1.1.1"]


def test_check_curriculum_names_an_unknown_programme():
    with pytest.raises(CommandError, match="No programme"):
        call_command("check_curriculum")


def test_the_programme_rules_are_the_domain_defaults(programme):
    rules = programme.rules()
    assert rules == lmd.RuleSet(final_semester=4)
    assert rules.pass_mark == Decimal(10)
    assert rules.m2_min_credits_with_debt == 45


def test_inconsistent_mention_bands_are_a_validation_error_on_the_field(programme):
    from django.core.exceptions import ValidationError

    programme.mention_bien = Decimal("11")
    with pytest.raises(ValidationError) as exc:
        programme.full_clean()
    assert exc.value.message_dict


def test_programme_total_credits(programme):
    assert Programme.objects.get().total_credits == 120

"""Acceptance tests of curriculum.lmd: the worked examples of academic-rules.md §2, then bad
input."""

from __future__ import annotations

from decimal import Decimal

import pytest

from curriculum import lmd

D = Decimal  # short alias keeps the worked examples of docs/academic-rules.md §2 readable

# --------------------------------------------------------------------------------------------
# The S1 structure of docs/academic-rules.md §2 (coef / credits)
# --------------------------------------------------------------------------------------------

S1_LAYOUT: dict[str, list[tuple[str, int, int]]] = {
    "UEF1.1": [("F1.1.1", 3, 6), ("F1.1.2", 2, 4)],
    "UEF1.2": [("F1.2.1", 2, 4), ("F1.2.2", 2, 4)],
    "UEM1.1": [("M1.1.1", 2, 4), ("M1.1.2", 2, 3), ("M1.1.3", 1, 2)],
    "UED1.1": [("D1.1.1", 1, 2)],
    "UET1.1": [("T1.1.1", 1, 1)],
}


def make_semester(number: int = 1, *, final: bool | None = None) -> lmd.Semester:
    """The §2 S1 structure; other numbers reuse it with their own codes (F2.1.1 …)."""
    units = [
        lmd.Unit(
            code=unit_code.replace("1.", f"{number}.", 1),
            modules=[
                lmd.Module(code=code.replace("1.", f"{number}.", 1), coefficient=coef, credits=cr)
                for code, coef, cr in modules
            ],
        )
        for unit_code, modules in S1_LAYOUT.items()
    ]
    return lmd.Semester(number=number, units=units, final=final)


S1 = make_semester()
S4 = lmd.Semester(
    number=4,
    units=[lmd.Unit(code="UEF4.1", modules=[lmd.Module(code="F4.1.1", coefficient=1, credits=30)])],
)


def s1_marks(*values: str) -> dict[str, D]:
    """Marks in the §2 order F111 F112 F121 F122 M111 M112 M113 D111 T111."""
    codes = [m.code for m in S1.modules]
    assert len(values) == len(codes)
    return {code: D(v) for code, v in zip(codes, values, strict=True)}


def uniform_marks(sem: lmd.Semester, mark: str) -> dict[str, D]:
    return {m.code: D(mark) for m in sem.modules}


MARKS_C = s1_marks("11", "9", "8", "9.5", "13", "12", "14", "15", "12")
MARKS_D = s1_marks("8", "9", "8", "9.5", "11", "10.5", "12", "14", "11")


# --------------------------------------------------------------------------------------------
# A, L — module mark (R-MAT-1, R-MAT-2)
# --------------------------------------------------------------------------------------------


def test_a_module_mark_weighs_cc_40_and_exam_60() -> None:
    mark = lmd.module_mark(cc=D("12"), exam=D("9"), w_cc=D("0.4"))
    assert mark == D("10.20")
    assert str(mark) == "10.20"
    assert lmd.passes(mark)


def test_module_mark_uses_the_rule_set_default_weight_when_w_cc_is_omitted() -> None:
    assert lmd.module_mark(cc=D("12"), exam=D("9")) == D("10.20")
    assert lmd.module_mark(cc=D("12"), exam=None, w_cc=1) == D("12.00")
    assert lmd.module_mark(cc=None, exam="9", w_cc=0) == D("9.00")


def test_l_unjustified_absence_at_exam_counts_zero() -> None:
    assert lmd.module_mark(cc=D("15"), exam=None, w_cc=D("0.4")) == D("6.00")


# --------------------------------------------------------------------------------------------
# B — UE compensation (art. 24)
# --------------------------------------------------------------------------------------------


def test_b_unit_acquired_by_compensation_carries_all_its_credits() -> None:
    unit = S1.units[0]
    result = lmd.evaluate_unit(unit, marks={"F1.1.1": D("8.50"), "F1.1.2": D("12.50")})
    assert result.average == D("10.10")
    assert result.acquired
    assert result.compensated
    assert result.credits == 10


def test_unit_without_compensation_keeps_only_its_acquired_modules_credits() -> None:
    unit = S1.units[0]
    result = lmd.evaluate_unit(
        unit, marks={"F1.1.1": D("8.50"), "F1.1.2": D("12.50")}, compensation=False
    )
    assert not result.acquired
    assert result.credits == 4


# --------------------------------------------------------------------------------------------
# C, D, J, K — semester (art. 25)
# --------------------------------------------------------------------------------------------


def test_c_semester_acquired_by_compensation_between_units_gets_all_30_credits() -> None:
    r = lmd.evaluate_semester(S1, marks=MARKS_C, excluded=set())
    averages = {code: u.average for code, u in r.units.items()}
    assert averages == {
        "UEF1.1": D("10.20"),
        "UEF1.2": D("8.75"),
        "UEM1.1": D("12.80"),
        "UED1.1": D("15.00"),
        "UET1.1": D("12.00"),
    }
    assert r.exact_average == D("11.0625")
    assert r.average == D("11.06")
    assert r.acquired
    assert r.compensated
    assert r.credits == 30
    assert r.decision == lmd.ADMIS_COMP
    assert r.resit_modules == frozenset()
    weak = r.units["UEF1.2"]
    assert not weak.acquired
    assert weak.credits == 8
    assert r.modules["F1.2.1"].status == lmd.MODULE_COMPENSE
    assert r.modules["F1.2.1"].credits == 4
    assert r.units["UEF1.1"].compensated


def test_semester_average_comes_from_module_marks_not_rounded_unit_averages() -> None:
    marks = uniform_marks(S1, "10")
    marks |= {"F1.1.1": D("9"), "F1.1.2": D("10.26")}
    r = lmd.evaluate_semester(S1, marks=marks)
    # UEF1.1 = 9.504 → 9.50; from rounded UE averages the semester would be 9.84375 → 9.84.
    assert r.units["UEF1.1"].average == D("9.50")
    assert r.exact_average == D("9.845")
    assert r.average == D("9.85")


def test_semester_with_every_unit_acquired_is_admis_even_with_compensation_inside_a_unit() -> None:
    marks = uniform_marks(S1, "12")
    marks |= {"F1.1.1": D("8.50"), "F1.1.2": D("12.50")}  # example B inside S1
    r = lmd.evaluate_semester(S1, marks=marks)
    assert r.units["UEF1.1"].acquired
    assert r.units["UEF1.1"].compensated
    assert r.decision == lmd.ADMIS
    assert not r.compensated
    assert r.credits == 30


def test_d_semester_not_acquired_keeps_acquired_unit_credits_and_lists_resit_modules() -> None:
    r = lmd.evaluate_semester(S1, marks=MARKS_D)
    averages = {code: u.average for code, u in r.units.items()}
    assert averages == {
        "UEF1.1": D("8.40"),
        "UEF1.2": D("8.75"),
        "UEM1.1": D("11.00"),
        "UED1.1": D("14.00"),
        "UET1.1": D("11.00"),
    }
    assert r.average == D("9.81")
    assert not r.acquired
    assert r.credits == 12
    assert r.decision == lmd.AJOURNE
    assert r.resit_modules == {"F1.1.1", "F1.1.2", "F1.2.1", "F1.2.2"}


def test_not_acquired_semester_keeps_credits_of_acquired_modules_inside_failed_units() -> None:
    marks = dict(MARKS_D) | {"F1.1.1": D("12")}
    r = lmd.evaluate_semester(S1, marks=marks)
    # UEF1.1 = (36 + 18) / 5 = 10.80 → acquired by compensation; that flips the semester.
    assert r.acquired
    marks = dict(MARKS_D) | {"F1.1.2": D("10")}
    r = lmd.evaluate_semester(S1, marks=marks)
    # UEF1.1 = (24 + 20) / 5 = 8.80 and S1 = 159 / 16 = 9.94: neither acquired, but
    # F1.1.2 keeps its 4 credits and is not resat.
    assert r.average == D("9.94")
    assert not r.acquired
    assert r.units["UEF1.1"].credits == 4
    assert r.credits == 16
    assert "F1.1.2" not in r.resit_modules
    assert r.resit_modules == {"F1.1.1", "F1.2.1", "F1.2.2"}


def test_j_exclusion_from_a_module_forbids_all_compensation() -> None:
    r = lmd.evaluate_semester(S1, marks=MARKS_C, excluded={"F1.1.2"})
    assert r.average == D("11.06")
    assert r.units["UEF1.1"].average == D("10.20")
    assert not r.units["UEF1.1"].acquired
    assert not r.acquired
    assert r.credits == 18  # F111 6 + UEM 9 + UED 2 + UET 1
    assert r.decision == lmd.AJOURNE
    assert r.exclusion
    assert r.modules["F1.1.2"].status == lmd.MODULE_EXCLU
    assert r.modules["F1.1.1"].credits == 6
    assert r.resit_modules == {"F1.2.1", "F1.2.2"}


def test_excluded_module_goes_to_resit_only_when_the_rule_set_allows_it() -> None:
    rules = lmd.RuleSet(excluded_may_resit=True)
    r = lmd.evaluate_semester(S1, marks=MARKS_C, excluded={"F1.1.2"}, rules=rules)
    assert r.resit_modules == {"F1.1.2", "F1.2.1", "F1.2.2"}


def test_exclusion_also_blocks_compensation_inside_other_units() -> None:
    marks = dict(MARKS_C) | {"M1.1.3": D("9")}  # UEM1.1 = 12.00 but M1.1.3 below 10
    r = lmd.evaluate_semester(S1, marks=marks, excluded={"F1.1.2"})
    assert not r.units["UEM1.1"].acquired
    assert r.units["UEM1.1"].credits == 7


def test_student_excluded_from_every_module_is_exclu() -> None:
    r = lmd.evaluate_semester(S1, marks={}, excluded={m.code for m in S1.modules})
    assert r.decision == lmd.EXCLU
    assert r.credits == 0
    assert r.average == D("0.00")
    assert r.resit_modules == frozenset()


def test_k_pass_mark_is_inclusive_at_10_00_and_9_99_fails() -> None:
    assert not lmd.passes(D("9.99"))
    assert lmd.passes(D("10.00"))
    low = lmd.evaluate_semester(S1, marks=uniform_marks(S1, "9.99"))
    assert low.average == D("9.99")
    assert not low.acquired
    assert low.credits == 0
    assert low.decision == lmd.AJOURNE
    exact = lmd.evaluate_semester(S1, marks=uniform_marks(S1, "10.00"))
    assert exact.acquired
    assert exact.credits == 30
    assert exact.decision == lmd.ADMIS
    assert all(m.status == lmd.MODULE_ACQUIS for m in exact.modules.values())


def test_k_threshold_compares_the_rounded_value_unless_the_setting_says_otherwise() -> None:
    assert lmd.passes(D("9.995"))
    assert not lmd.passes(D("9.995"), lmd.RuleSet(compare_rounded=False))


def test_explicit_none_mark_is_an_unjustified_absence_counting_zero() -> None:
    marks: dict[str, D | None] = dict(MARKS_C)
    marks["T1.1.1"] = None
    r = lmd.evaluate_semester(S1, marks=marks)
    assert r.modules["T1.1.1"].mark == D(0)
    assert r.average == D("10.31")  # (177 - 12) / 16 = 10.3125
    assert r.acquired


def test_justified_absence_has_no_mark_and_goes_to_resit() -> None:
    marks = {code: mark for code, mark in MARKS_D.items() if code != "M1.1.1"}
    r = lmd.evaluate_semester(S1, marks=marks, absent_justified={"M1.1.1"})
    assert r.modules["M1.1.1"].status == lmd.MODULE_ABJ
    assert r.modules["M1.1.1"].mark is None
    assert not r.acquired
    assert "M1.1.1" in r.resit_modules
    after = lmd.evaluate_resit(S1, first=r, resit_marks={"M1.1.1": D("12")})
    assert after.modules["M1.1.1"].mark == D("12")
    assert after.modules["M1.1.1"].status == lmd.MODULE_ACQUIS


# --------------------------------------------------------------------------------------------
# E — rattrapage (§1.7, R-RAT-1)
# --------------------------------------------------------------------------------------------


def test_e_resit_with_cc_keeps_the_better_mark_of_the_two_sessions() -> None:
    first = MARKS_D
    assert lmd.resit_mark(first=first["F1.1.1"], cc=D("10"), resit=D("11"), w_cc=D("0.4")) == D(
        "10.60"
    )
    assert lmd.resit_mark(first=first["F1.1.2"], cc=D("9"), resit=D("7"), w_cc=D("0.4")) == D(
        "9.00"
    )
    assert lmd.resit_mark(first=first["F1.2.1"], cc=D("8"), resit=D("12"), w_cc=D("0.4")) == D(
        "10.40"
    )
    assert lmd.resit_mark(first=first["F1.2.2"], cc=D("9"), resit=D("10"), w_cc=D("0.4")) == D(
        "9.60"
    )


def test_e_semester_acquired_after_resit_is_admis_ratt_with_30_credits() -> None:
    first = lmd.evaluate_semester(S1, marks=MARKS_D)
    resit_inputs = {
        "F1.1.1": (D("10"), D("11")),
        "F1.1.2": (D("9"), D("7")),
        "F1.2.1": (D("8"), D("12")),
        "F1.2.2": (D("9"), D("10")),
    }
    resit_marks = {
        code: lmd.resit_session_mark(cc=cc, resit=exam, w_cc=D("0.4"))
        for code, (cc, exam) in resit_inputs.items()
    }
    r = lmd.evaluate_resit(S1, first=first, resit_marks=resit_marks)
    kept = {code: r.modules[code].mark for code in resit_inputs}
    assert kept == {
        "F1.1.1": D("10.60"),
        "F1.1.2": D("9.00"),
        "F1.2.1": D("10.40"),
        "F1.2.2": D("9.60"),
    }
    assert r.units["UEF1.1"].average == D("9.96")
    assert not r.units["UEF1.1"].acquired
    assert r.units["UEF1.2"].average == D("10.00")
    assert r.units["UEF1.2"].acquired
    assert r.exact_average == D("10.6125")
    assert r.average == D("10.61")
    assert r.acquired
    assert r.credits == 30
    assert r.decision == lmd.ADMIS_RATT
    assert r.session == lmd.SESSION_RESIT
    assert r.resit_modules == frozenset()


def test_e_exam_only_variant_keeps_the_resit_exam_mark() -> None:
    rules = lmd.RuleSet(rattrapage_mode=lmd.EXAM_ONLY)
    assert lmd.resit_mark(first=D("8"), cc=D("10"), resit=D("11"), rules=rules) == D("11.00")
    assert lmd.resit_mark(first=D("8"), cc=None, resit=D("7"), rules=rules) == D("8.00")


def test_absent_at_resit_keeps_the_first_session_mark() -> None:
    assert lmd.resit_mark(first=D("8"), cc=D("10"), resit=None) == D("8.00")
    first = lmd.evaluate_semester(S1, marks=MARKS_D)
    r = lmd.evaluate_resit(S1, first=first, resit_marks={"F1.1.1": None})
    assert r.modules["F1.1.1"].mark == D("8")
    assert r.decision == lmd.AJOURNE
    assert r.credits == first.credits


def test_resit_is_refused_for_a_module_outside_the_resit_list() -> None:
    first = lmd.evaluate_semester(S1, marks=MARKS_D)
    with pytest.raises(ValueError, match=r"resit_marks.*M1\.1\.1"):
        lmd.evaluate_resit(S1, first=first, resit_marks={"M1.1.1": D("15")})


def test_resit_is_refused_for_a_semester_acquired_at_the_normal_session() -> None:
    first = lmd.evaluate_semester(S1, marks=MARKS_C)
    with pytest.raises(ValueError, match="first"):
        lmd.evaluate_resit(S1, first=first, resit_marks={})


# --------------------------------------------------------------------------------------------
# F, F2 — annual compensation (R-ANN-1, R-MEM-3)
# --------------------------------------------------------------------------------------------


def semester_result(number: int, mark: str, *, final: bool | None = None) -> lmd.SemesterResult:
    sem = make_semester(number, final=final)
    return lmd.evaluate_semester(sem, marks=uniform_marks(sem, mark))


def test_f_annual_compensation_acquires_the_weak_semester_with_a_flag() -> None:
    s1, s2 = semester_result(1, "9.40"), semester_result(2, "10.80")
    assert not s1.acquired
    y = lmd.evaluate_year(first=s1, second=s2)
    assert y.average == D("10.10")
    assert y.acquired
    assert y.credits == 60
    assert y.semesters == {1: 30, 2: 30}
    assert y.flags[1] == {lmd.ACQUIS_PAR_COMPENSATION_ANNUELLE}
    assert y.flags[2] == frozenset()
    assert y.resit_semesters == frozenset()
    assert y.decision == lmd.ADMIS_COMP


def test_f2_annual_average_below_pass_sends_only_the_weak_semester_to_resit() -> None:
    s1, s2 = semester_result(1, "9.40"), semester_result(2, "10.50")
    y = lmd.evaluate_year(first=s1, second=s2)
    assert y.average == D("9.95")
    assert not y.acquired
    assert y.semesters == {1: 0, 2: 30}
    assert y.credits == 30
    assert y.resit_semesters == {1}
    assert y.flags[1] == frozenset()
    assert y.decision == lmd.AJOURNE


def test_annual_compensation_can_be_switched_off() -> None:
    rules = lmd.RuleSet(annual_compensation=False)
    s1, s2 = semester_result(1, "9.40"), semester_result(2, "10.80")
    y = lmd.evaluate_year(first=s1, second=s2, rules=rules)
    assert not y.acquired
    assert y.resit_semesters == {1}


def test_final_semester_is_never_acquired_by_annual_compensation() -> None:
    s3 = semester_result(3, "14")
    s4 = lmd.evaluate_semester(S4, marks={"F4.1.1": D("9")})
    assert s4.final
    y = lmd.evaluate_year(first=s3, second=s4)
    assert y.average == D("11.50")
    assert not y.acquired
    assert y.semesters == {3: 30, 4: 0}
    assert y.resit_semesters == {4}
    allowed = lmd.RuleSet(final_semester_compensable=True)
    y = lmd.evaluate_year(first=s3, second=s4, rules=allowed)
    assert y.acquired
    assert y.flags[4] == {lmd.ACQUIS_PAR_COMPENSATION_ANNUELLE}


def test_third_semester_can_still_be_compensated_by_the_final_one() -> None:
    s3 = semester_result(3, "9.50")
    s4 = lmd.evaluate_semester(S4, marks={"F4.1.1": D("14")})
    y = lmd.evaluate_year(first=s3, second=s4)
    assert y.acquired
    assert y.credits == 60
    assert y.flags[3] == {lmd.ACQUIS_PAR_COMPENSATION_ANNUELLE}


def test_exclusion_forbids_annual_compensation() -> None:
    s1 = lmd.evaluate_semester(S1, marks=MARKS_C, excluded={"F1.1.2"})
    s2 = semester_result(2, "15")
    y = lmd.evaluate_year(first=s1, second=s2)
    assert not y.acquired
    assert y.semesters == {1: 18, 2: 30}


def test_year_needs_consecutive_semesters_odd_first() -> None:
    with pytest.raises(ValueError, match="second"):
        lmd.evaluate_year(first=semester_result(1, "12"), second=semester_result(3, "12"))
    with pytest.raises(ValueError, match="first"):
        lmd.evaluate_year(first=semester_result(2, "12"), second=semester_result(3, "12"))


# --------------------------------------------------------------------------------------------
# G, H — final average, ranking, mention (arrêté 714)
# --------------------------------------------------------------------------------------------

G_AVERAGES = [D("12.50"), D("13.00"), D("14.00"), D("14.50")]


def test_g_ranking_average_counts_debts_by_half_and_resits_by_quarter() -> None:
    f = lmd.final_result(semester_averages=G_AVERAGES, repeats=0, debts=1, resits=2)
    assert f.average == D("13.50")
    assert f.ranking_coefficient == D("0.96")
    assert f.ranking_average == D("12.96")
    assert f.mention == lmd.ASSEZ_BIEN


def test_g2_one_repeated_year_weighs_as_much_as_one_debt_and_two_resits() -> None:
    f = lmd.final_result(semester_averages=G_AVERAGES, repeats=1, debts=0, resits=0)
    assert f.ranking_average == D("12.96")


def test_h_final_average_rounds_half_up_to_assez_bien() -> None:
    f = lmd.final_result(semester_averages=["11.20", "12.40", "13.10", "15.00"])
    assert f.exact_average == D("12.925")
    assert f.average == D("12.93")
    assert f.mention == lmd.ASSEZ_BIEN


def test_h2_final_average_of_16_19_is_tres_bien() -> None:
    f = lmd.final_result(semester_averages=["15.25", "16.10", "16.40", "17.00"])
    assert f.average == D("16.19")
    assert f.mention == lmd.TRES_BIEN


def test_h3_final_average_of_10_85_is_passable() -> None:
    # docs/academic-rules.md says S2 (9.80) was acquired by annual compensation, although
    # (10.10 + 9.80) / 2 = 9.95 < 10; only the MSE and the mention are checked here.
    f = lmd.final_result(semester_averages=["10.10", "9.80", "11.00", "12.50"])
    assert f.average == D("10.85")
    assert f.mention == lmd.PASSABLE


def test_h4_mention_uses_the_rounded_average_by_default() -> None:
    averages = ["11.99", "12.00", "12.00", "11.99"]
    f = lmd.final_result(semester_averages=averages)
    assert f.exact_average == D("11.995")
    assert f.average == D("12.00")
    assert f.mention == lmd.ASSEZ_BIEN


def test_h4_mention_uses_the_exact_average_when_compare_rounded_is_off() -> None:
    rules = lmd.RuleSet(compare_rounded=False)
    f = lmd.final_result(semester_averages=["11.99", "12.00", "12.00", "11.99"], rules=rules)
    assert f.average == D("12.00")
    assert f.mention == lmd.PASSABLE


def test_mention_bands_and_optional_excellent() -> None:
    assert lmd.mention_for(D("9.99")) is None
    assert lmd.mention_for(D("10")) == lmd.PASSABLE
    assert lmd.mention_for(D("13.99")) == lmd.ASSEZ_BIEN
    assert lmd.mention_for(D("14")) == lmd.BIEN
    assert lmd.mention_for(D("18.5")) == lmd.TRES_BIEN
    rules = lmd.RuleSet(mention_excellent=D("18"))
    assert lmd.mention_for(D("18"), rules) == lmd.EXCELLENT
    assert lmd.mention_for(D("17.99"), rules) == lmd.TRES_BIEN


# --------------------------------------------------------------------------------------------
# I — mémoire and S4 (R-MEM-1, R-MEM-2)
# --------------------------------------------------------------------------------------------


def test_i_memoire_mark_weighs_written_50_oral_25_tutor_25_and_acquires_s4() -> None:
    mark = lmd.memoire_mark(written=D("14"), oral=D("12"), tutor=D("16"))
    assert mark == D("14.00")
    r = lmd.evaluate_semester(S4, marks={"F4.1.1": mark})
    assert r.acquired
    assert r.credits == 30
    assert r.decision == lmd.ADMIS


# --------------------------------------------------------------------------------------------
# Progression M1 → M2 (R-PROG-1, R-PROG-2)
# --------------------------------------------------------------------------------------------


def test_m2_requires_all_60_m1_credits_by_default() -> None:
    assert lmd.progression_m1_m2(credits_m1=60) == lmd.ADMIS
    assert lmd.progression_m1_m2(credits_m1=59) == lmd.AJOURNE


def test_m2_with_debts_when_the_rule_set_allows_it() -> None:
    rules = lmd.RuleSet(m2_requires_all_m1_credits=False, m2_debt_allowed=True)
    assert lmd.progression_m1_m2(credits_m1=60, rules=rules) == lmd.ADMIS
    assert lmd.progression_m1_m2(credits_m1=45, rules=rules) == lmd.ADMIS_DETTES
    assert lmd.progression_m1_m2(credits_m1=44, rules=rules) == lmd.AJOURNE


def test_more_than_60_m1_credits_is_refused() -> None:
    with pytest.raises(ValueError, match="credits_m1"):
        lmd.progression_m1_m2(credits_m1=61)


def test_reenrolment_is_capped_at_max_master_years() -> None:
    assert lmd.may_reenroll(years_enrolled=2)
    assert not lmd.may_reenroll(years_enrolled=3)


# --------------------------------------------------------------------------------------------
# Rule set
# --------------------------------------------------------------------------------------------


def test_rule_set_defaults_are_the_2011_rules() -> None:
    rules = lmd.RuleSet()
    assert rules.name == "LMD-2011"
    assert rules.pass_mark == D("10")
    assert rules.default_w_cc == D("0.40")
    assert rules.ranking_factor == D("0.04")
    assert rules.mention_excellent is None
    assert rules.rattrapage_mode == lmd.WITH_CC
    assert rules.annual_compensation
    assert not rules.final_semester_compensable
    assert rules.m2_min_credits_with_debt == 45
    assert rules.semester_credits == 30
    assert "compare_rounded" in lmd.RuleSet.field_names()


def test_rule_set_is_frozen() -> None:
    rules = lmd.RuleSet()
    with pytest.raises(AttributeError):
        rules.pass_mark = D("12")  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"default_w_cc": D("1.5")}, "default_w_cc"),
        ({"ranking_factor": D("-0.1")}, "ranking_factor"),
        ({"memoire_weight_oral": D("0.30")}, "memoire_weight_written"),
        ({"pass_mark": D("25")}, "pass_mark"),
        ({"rounding": "HALF_SOMETIMES"}, "rounding"),
        ({"rattrapage_mode": "NEVER"}, "rattrapage_mode"),
        ({"mention_bien": D("11")}, "mention_bien"),
        ({"m2_debt_allowed": True}, "m2_debt_allowed"),
        ({"pass_mark": 10.0}, "pass_mark"),
        ({"semester_credits": -1}, "semester_credits"),
    ],
)
def test_rule_set_rejects_inconsistent_settings_naming_the_field(
    kwargs: dict[str, object], field: str
) -> None:
    with pytest.raises(ValueError, match=field) as caught:
        lmd.RuleSet(**kwargs)  # type: ignore[arg-type]
    assert isinstance(caught.value, lmd.InvalidInputError)
    assert caught.value.field == field


# --------------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------------


def test_negative_mark_is_refused_naming_the_module() -> None:
    marks = dict(MARKS_C) | {"F1.1.1": D("-1")}
    with pytest.raises(ValueError, match=r"marks\['F1\.1\.1'\]") as caught:
        lmd.evaluate_semester(S1, marks=marks)
    assert isinstance(caught.value, lmd.InvalidInputError)
    assert caught.value.field == "marks['F1.1.1']"


def test_mark_above_20_is_refused_naming_the_module() -> None:
    marks = dict(MARKS_C) | {"M1.1.2": D("20.01")}
    with pytest.raises(ValueError, match=r"marks\['M1\.1\.2'\].*20\.01"):
        lmd.evaluate_semester(S1, marks=marks)


def test_out_of_range_components_are_refused_naming_the_argument() -> None:
    with pytest.raises(ValueError, match="cc"):
        lmd.module_mark(cc=D("-1"), exam=D("10"))
    with pytest.raises(ValueError, match="exam"):
        lmd.module_mark(cc=D("10"), exam=D("20.01"))


def test_module_in_two_units_is_refused() -> None:
    module = lmd.Module(code="F1.1.1", coefficient=3, credits=6)
    with pytest.raises(ValueError, match=r"units.*F1\.1\.1"):
        lmd.Semester(
            number=1,
            units=[
                lmd.Unit(code="UEF1.1", modules=[module]),
                lmd.Unit(code="UEF1.2", modules=[module]),
            ],
        )


def test_w_cc_outside_0_1_is_refused() -> None:
    with pytest.raises(ValueError, match="w_cc"):
        lmd.module_mark(cc=D("12"), exam=D("9"), w_cc=D("1.5"))


def test_float_mark_is_refused_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match="float"):
        lmd.module_mark(cc=12.0, exam=D("9"))  # type: ignore[arg-type]
    marks: dict[str, object] = dict(MARKS_C) | {"F1.1.1": 11.0}
    with pytest.raises(ValueError, match=r"marks\['F1\.1\.1'\].*float"):
        lmd.evaluate_semester(S1, marks=marks)  # type: ignore[arg-type]


def test_non_numeric_and_non_finite_marks_are_refused() -> None:
    with pytest.raises(ValueError, match="exam"):
        lmd.module_mark(cc="12", exam="douze")
    with pytest.raises(ValueError, match="exam"):
        lmd.module_mark(cc="12", exam=D("NaN"))
    with pytest.raises(ValueError, match="exam"):
        lmd.module_mark(cc="12", exam=True)


def test_missing_mark_is_refused_naming_the_module() -> None:
    marks = {code: mark for code, mark in MARKS_C.items() if code != "D1.1.1"}
    with pytest.raises(ValueError, match=r"D1\.1\.1"):
        lmd.evaluate_semester(S1, marks=marks)


def test_unknown_module_code_is_refused() -> None:
    marks = dict(MARKS_C) | {"X9.9.9": D("12")}
    with pytest.raises(ValueError, match=r"marks.*X9\.9\.9"):
        lmd.evaluate_semester(S1, marks=marks)
    with pytest.raises(ValueError, match=r"excluded.*X9\.9\.9"):
        lmd.evaluate_semester(S1, marks=MARKS_C, excluded={"X9.9.9"})


def test_justified_absence_with_a_mark_is_refused() -> None:
    with pytest.raises(ValueError, match=r"F1\.1\.1"):
        lmd.evaluate_semester(S1, marks=MARKS_C, absent_justified={"F1.1.1"})


def test_unit_without_modules_is_refused() -> None:
    with pytest.raises(ValueError, match=r"modules.*UEF1\.1"):
        lmd.Unit(code="UEF1.1", modules=[])


def test_non_positive_coefficient_and_negative_credits_are_refused() -> None:
    with pytest.raises(ValueError, match="coefficient"):
        lmd.Module(code="F1.1.1", coefficient=0, credits=6)
    with pytest.raises(ValueError, match="credits"):
        lmd.Module(code="F1.1.1", coefficient=3, credits=-1)


def test_semester_whose_credits_do_not_sum_to_30_is_refused() -> None:
    sem = lmd.Semester(
        number=1,
        units=[lmd.Unit(code="UEF1.1", modules=[lmd.Module(code="F1.1.1", credits=6)])],
    )
    with pytest.raises(ValueError, match="sem"):
        lmd.evaluate_semester(sem, marks={"F1.1.1": D("12")})


def test_final_result_refuses_empty_averages_and_negative_counts() -> None:
    with pytest.raises(ValueError, match="semester_averages"):
        lmd.final_result(semester_averages=[])
    with pytest.raises(ValueError, match="resits"):
        lmd.final_result(semester_averages=G_AVERAGES, resits=-1)

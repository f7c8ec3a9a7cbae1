"""Property tests of curriculum.lmd on the S1 structure of docs/academic-rules.md §2."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from curriculum import lmd

D = Decimal  # short alias keeps the worked examples of docs/academic-rules.md §2 readable

S1 = lmd.Semester(
    number=1,
    units=[
        lmd.Unit(
            code="UEF1.1",
            modules=[
                lmd.Module(code="F1.1.1", coefficient=3, credits=6),
                lmd.Module(code="F1.1.2", coefficient=2, credits=4),
            ],
        ),
        lmd.Unit(
            code="UEF1.2",
            modules=[
                lmd.Module(code="F1.2.1", coefficient=2, credits=4),
                lmd.Module(code="F1.2.2", coefficient=2, credits=4),
            ],
        ),
        lmd.Unit(
            code="UEM1.1",
            modules=[
                lmd.Module(code="M1.1.1", coefficient=2, credits=4),
                lmd.Module(code="M1.1.2", coefficient=2, credits=3),
                lmd.Module(code="M1.1.3", coefficient=1, credits=2),
            ],
        ),
        lmd.Unit(code="UED1.1", modules=[lmd.Module(code="D1.1.1", coefficient=1, credits=2)]),
        lmd.Unit(code="UET1.1", modules=[lmd.Module(code="T1.1.1", coefficient=1, credits=1)]),
    ],
)
CODES = [m.code for m in S1.modules]
S2_CODE = {code: code.replace("1.", "2.", 1) for code in CODES}
S2 = lmd.Semester(
    number=2,
    units=[
        lmd.Unit(
            code=u.code.replace("1.", "2.", 1),
            modules=[
                lmd.Module(code=S2_CODE[m.code], coefficient=m.coefficient, credits=m.credits)
                for m in u.modules
            ],
        )
        for u in S1.units
    ],
)

# A worse decision has a lower rank; the normal and the resit sessions each have their scale.
NORMAL_RANK = {lmd.AJOURNE: 0, lmd.ADMIS_COMP: 1, lmd.ADMIS: 2}
RESIT_RANK = {lmd.AJOURNE: 0, lmd.ADMIS_RATT: 1}

FAST = settings(max_examples=200, deadline=None)

marks_2dp = st.integers(min_value=0, max_value=2000).map(lambda n: D(n).scaleb(-2))
weights = st.integers(min_value=0, max_value=100).map(lambda n: D(n).scaleb(-2))
s1_marks = st.lists(marks_2dp, min_size=len(CODES), max_size=len(CODES)).map(
    lambda values: dict(zip(CODES, values, strict=True))
)
module_codes = st.sampled_from(CODES)
small_exclusions = st.sets(module_codes, max_size=2)


@FAST
@given(marks=s1_marks, excluded=small_exclusions)
def test_averages_and_credits_stay_within_their_scales(
    marks: dict[str, D], excluded: set[str]
) -> None:
    r = lmd.evaluate_semester(S1, marks=marks, excluded=excluded)
    assert D(0) <= r.average <= D(20)
    assert all(D(0) <= u.average <= D(20) for u in r.units.values())
    assert 0 <= r.credits <= 30
    assert r.credits == sum(u.credits for u in r.units.values())
    assert all(0 <= u.credits <= u.total_credits for u in r.units.values())


@FAST
@given(marks=s1_marks)
def test_without_exclusion_the_semester_is_acquired_exactly_when_its_average_reaches_10(
    marks: dict[str, D],
) -> None:
    r = lmd.evaluate_semester(S1, marks=marks)
    assert r.acquired == (r.average >= D(10))
    assert (r.credits == 30) == r.acquired
    assert bool(r.resit_modules) == (not r.acquired)


@FAST
@given(
    marks=s1_marks,
    excluded=small_exclusions,
    code=module_codes,
    raise_by=st.integers(min_value=1, max_value=2000),
)
def test_raising_one_mark_never_lowers_credits_nor_worsens_the_decision(
    marks: dict[str, D], excluded: set[str], code: str, raise_by: int
) -> None:
    assume(len(excluded) < len(CODES))
    before = lmd.evaluate_semester(S1, marks=marks, excluded=excluded)
    higher = dict(marks)
    higher[code] = min(D(20), marks[code] + D(raise_by).scaleb(-2))
    after = lmd.evaluate_semester(S1, marks=higher, excluded=excluded)
    assert after.credits >= before.credits
    assert NORMAL_RANK[after.decision] >= NORMAL_RANK[before.decision]
    assert after.exact_average >= before.exact_average
    assert after.resit_modules <= before.resit_modules


@FAST
@given(
    marks=s1_marks,
    resit=st.lists(marks_2dp, min_size=len(CODES), max_size=len(CODES)),
    code=module_codes,
    raise_by=st.integers(min_value=1, max_value=2000),
)
def test_resit_never_loses_credits_and_a_better_resit_never_worsens_the_decision(
    marks: dict[str, D], resit: list[D], code: str, raise_by: int
) -> None:
    first = lmd.evaluate_semester(S1, marks=marks)
    assume(not first.acquired)
    resit_marks = {c: m for c, m in zip(CODES, resit, strict=True) if c in first.resit_modules}
    after = lmd.evaluate_resit(S1, first=first, resit_marks=resit_marks)
    assert after.credits >= first.credits
    assert after.exact_average >= first.exact_average
    assert after.decision in RESIT_RANK
    assume(code in resit_marks)
    better = dict(resit_marks)
    better[code] = min(D(20), resit_marks[code] + D(raise_by).scaleb(-2))
    best = lmd.evaluate_resit(S1, first=first, resit_marks=better)
    assert best.credits >= after.credits
    assert RESIT_RANK[best.decision] >= RESIT_RANK[after.decision]


@FAST
@given(marks=s1_marks, excluded=small_exclusions, code=module_codes)
def test_an_exclusion_never_raises_credits(
    marks: dict[str, D], excluded: set[str], code: str
) -> None:
    before = lmd.evaluate_semester(S1, marks=marks, excluded=excluded)
    after = lmd.evaluate_semester(S1, marks=marks, excluded=excluded | {code})
    assert after.credits <= before.credits
    assert not after.acquired or before.acquired
    assert after.exact_average == before.exact_average


@FAST
@given(
    cc=marks_2dp,
    exam=marks_2dp,
    w_cc=weights,
    cc_up=st.integers(min_value=0, max_value=2000),
    exam_up=st.integers(min_value=0, max_value=2000),
)
def test_module_mark_is_monotone_in_cc_and_exam(
    cc: D, exam: D, w_cc: D, cc_up: int, exam_up: int
) -> None:
    base = lmd.module_mark(cc=cc, exam=exam, w_cc=w_cc)
    higher_cc = min(D(20), cc + D(cc_up).scaleb(-2))
    higher_exam = min(D(20), exam + D(exam_up).scaleb(-2))
    assert lmd.module_mark(cc=higher_cc, exam=exam, w_cc=w_cc) >= base
    assert lmd.module_mark(cc=cc, exam=higher_exam, w_cc=w_cc) >= base
    assert D(0) <= base <= D(20)
    assert min(cc, exam) <= base <= max(cc, exam)


@FAST
@given(first=marks_2dp, cc=marks_2dp, resit=st.none() | marks_2dp, w_cc=weights)
def test_resit_mark_is_never_below_the_first_session_mark(
    first: D, cc: D, resit: D | None, w_cc: D
) -> None:
    for mode in (lmd.WITH_CC, lmd.EXAM_ONLY):
        rules = lmd.RuleSet(rattrapage_mode=mode)
        kept = lmd.resit_mark(first=first, cc=cc, resit=resit, w_cc=w_cc, rules=rules)
        assert kept >= first
        if resit is None:
            assert kept == first


@FAST
@given(first=s1_marks, second=s1_marks)
def test_a_year_is_acquired_with_60_credits_or_keeps_each_semester_credits(
    first: dict[str, D], second: dict[str, D]
) -> None:
    r1 = lmd.evaluate_semester(S1, marks=first)
    r2 = lmd.evaluate_semester(S2, marks={S2_CODE[k]: v for k, v in second.items()})
    y = lmd.evaluate_year(first=r1, second=r2)
    assert y.credits >= r1.credits + r2.credits
    assert (y.credits == 60) == y.acquired
    # Neither semester is final and there is no exclusion: the annual average decides.
    assert y.acquired == ((r1.acquired and r2.acquired) or y.average >= D(10))


@FAST
@given(
    averages=st.lists(marks_2dp, min_size=4, max_size=4),
    repeats=st.integers(min_value=0, max_value=2),
    debts=st.integers(min_value=0, max_value=2),
    resits=st.integers(min_value=0, max_value=8),
)
def test_ranking_average_never_exceeds_the_final_average(
    averages: list[D], repeats: int, debts: int, resits: int
) -> None:
    f = lmd.final_result(semester_averages=averages, repeats=repeats, debts=debts, resits=resits)
    assert D(0) <= f.ranking_average <= f.average <= D(20)
    assert (f.mention is None) == (f.average < D(10))

"""Academic rules of the Algerian LMD master, as pure functions (no Django).

Everything here follows ``docs/academic-rules.md`` §1; the worked examples of §2 are its acceptance
tests. Rule ids cited in docstrings (R-MAT-1, R-ANN-1, art. 24 …) refer to that document.

Conventions:

* All arithmetic is done with :class:`~decimal.Decimal`. Floats are refused: ``0.1`` has no
  exact binary value and a mark must never depend on it.
* Averages are computed exactly from the module marks (Σ coef * mark / Σ coef), then rounded
  per the :class:`RuleSet` (HALF_UP, 2 decimals by default) — R-ROUND. A semester average is
  never computed from already-rounded unit averages.
* A threshold (pass mark, mention band) is compared with the *rounded* value when
  ``RuleSet.compare_rounded`` is true (the default), with the exact value otherwise.
* Bad input raises :class:`InvalidInputError`, a :class:`ValueError` whose ``field`` names the
  offending argument, e.g. ``"marks['F1.1.1']: mark 20.01 outside [0, 20]"``.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import TYPE_CHECKING, Final, TypeAlias

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from collections.abc import Set as AbstractSet

__all__ = [
    "ABANDON",
    "ACQUIS_PAR_COMPENSATION_ANNUELLE",
    "ADMIS",
    "ADMIS_COMP",
    "ADMIS_DETTES",
    "ADMIS_RATT",
    "AJOURNE",
    "ASSEZ_BIEN",
    "BIEN",
    "DECISIONS",
    "DEFAULT_RULES",
    "EXAM_ONLY",
    "EXCELLENT",
    "EXCLU",
    "MENTIONS",
    "MODULE_ABJ",
    "MODULE_ACQUIS",
    "MODULE_COMPENSE",
    "MODULE_EXCLU",
    "MODULE_NON_ACQUIS",
    "MODULE_STATUSES",
    "PASSABLE",
    "SESSION_NORMAL",
    "SESSION_RESIT",
    "TRES_BIEN",
    "WITH_CC",
    "FinalResult",
    "InvalidInputError",
    "MarkInput",
    "Module",
    "ModuleResult",
    "RuleSet",
    "Semester",
    "SemesterResult",
    "Unit",
    "UnitResult",
    "YearResult",
    "evaluate_resit",
    "evaluate_semester",
    "evaluate_unit",
    "evaluate_year",
    "final_result",
    "may_reenroll",
    "memoire_mark",
    "mention_for",
    "module_mark",
    "passes",
    "progression_m1_m2",
    "resit_mark",
    "resit_session_mark",
]

MarkInput: TypeAlias = Decimal | int | str
"""What a caller may pass as a mark or a weight: never a float."""

# Decision codes (docs/academic-rules.md §1.12).
ADMIS: Final = "ADMIS"
ADMIS_COMP: Final = "ADMIS_COMP"
ADMIS_RATT: Final = "ADMIS_RATT"
ADMIS_DETTES: Final = "ADMIS_DETTES"
AJOURNE: Final = "AJOURNE"
EXCLU: Final = "EXCLU"
ABANDON: Final = "ABANDON"
DECISIONS: Final = frozenset({ADMIS, ADMIS_COMP, ADMIS_RATT, ADMIS_DETTES, AJOURNE, EXCLU, ABANDON})

# Flag put on the weak semester of a year acquired by annual compensation (R-ANN-1).
ACQUIS_PAR_COMPENSATION_ANNUELLE: Final = "ACQUIS_PAR_COMPENSATION_ANNUELLE"

# Mentions (§1.9).
PASSABLE: Final = "PASSABLE"
ASSEZ_BIEN: Final = "ASSEZ_BIEN"
BIEN: Final = "BIEN"
TRES_BIEN: Final = "TRES_BIEN"
EXCELLENT: Final = "EXCELLENT"
MENTIONS: Final = (PASSABLE, ASSEZ_BIEN, BIEN, TRES_BIEN, EXCELLENT)

# Status of one module in a semester result.
MODULE_ACQUIS: Final = "ACQUIS"  # mark ≥ pass mark on its own (art. 24)
MODULE_COMPENSE: Final = "COMPENSE"  # below the pass mark, credited by UE/semester compensation
MODULE_NON_ACQUIS: Final = "NON_ACQUIS"  # below the pass mark and not credited (ABI = mark 0)
MODULE_ABJ: Final = "ABJ"  # justified absence: no mark (R-MAT-2)
MODULE_EXCLU: Final = "EXCLU"  # excluded from the module (R-MAT-3)
MODULE_STATUSES: Final = frozenset(
    {MODULE_ACQUIS, MODULE_COMPENSE, MODULE_NON_ACQUIS, MODULE_ABJ, MODULE_EXCLU}
)

# Sessions.
SESSION_NORMAL: Final = "N"
SESSION_RESIT: Final = "R"

# Rattrapage modes (R-RAT-1).
WITH_CC: Final = "WITH_CC"
EXAM_ONLY: Final = "EXAM_ONLY"

_ROUNDING_MODES: Final = frozenset(
    {
        decimal.ROUND_05UP,
        decimal.ROUND_CEILING,
        decimal.ROUND_DOWN,
        decimal.ROUND_FLOOR,
        decimal.ROUND_HALF_DOWN,
        decimal.ROUND_HALF_EVEN,
        decimal.ROUND_HALF_UP,
        decimal.ROUND_UP,
    }
)
# Exact divisions of marks need far fewer digits; the margin keeps HALF_UP ties honest.
_PRECISION: Final = 50
_ZERO: Final = Decimal(0)
_ONE: Final = Decimal(1)
_MAX_DECIMALS: Final = 6
_MIN_MASTER_YEARS: Final = 2
_SEMESTERS_PER_YEAR: Final = 2


# --------------------------------------------------------------------------------------------
# Input conversion
# --------------------------------------------------------------------------------------------


class InvalidInputError(ValueError):
    """Bad input: a ``ValueError`` whose ``field`` names the offending argument or setting.

    ``str(error)`` is ``"<field>: <message>"``, e.g. ``"marks['F1.1.1']: mark 20.01 outside
    [0, 20]"``; a service can attach ``message`` to the form field named ``field``.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _to_decimal(value: object, name: str) -> Decimal:
    """Convert ``value`` to a finite Decimal or raise ``ValueError`` naming ``name``."""
    if isinstance(value, bool):
        raise InvalidInputError(name, "expected a Decimal, an int or a str, got a bool")
    if isinstance(value, float):
        raise InvalidInputError(
            name, f"float {value!r} is not accepted; pass a Decimal, an int or a str"
        )
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except decimal.InvalidOperation:
            raise InvalidInputError(name, f"{value!r} is not a number") from None
    else:
        raise InvalidInputError(
            name, f"expected a Decimal, an int or a str, got {type(value).__name__}"
        )
    if not result.is_finite():
        raise InvalidInputError(name, f"{value!r} is not a finite number")
    return result


def _to_mark(value: object, name: str, rules: RuleSet) -> Decimal:
    mark = _to_decimal(value, name)
    if mark < 0 or mark > rules.max_mark:
        raise InvalidInputError(name, f"mark {mark} outside [0, {rules.max_mark}]")
    return mark


def _to_weight(value: object, name: str) -> Decimal:
    weight = _to_decimal(value, name)
    if weight < 0 or weight > 1:
        raise InvalidInputError(name, f"weight {weight} outside [0, 1]")
    return weight


def _to_count(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInputError(name, f"expected an int, got {type(value).__name__}")
    if value < 0:
        raise InvalidInputError(name, f"{value} is negative")
    return value


def _divide(numerator: Decimal, denominator: Decimal) -> Decimal:
    with decimal.localcontext() as ctx:
        ctx.prec = _PRECISION
        return numerator / denominator


# --------------------------------------------------------------------------------------------
# Rule set
# --------------------------------------------------------------------------------------------

_DECIMAL_FIELDS: Final = (
    "pass_mark",
    "max_mark",
    "default_w_cc",
    "ranking_factor",
    "mention_passable",
    "mention_assez_bien",
    "mention_bien",
    "mention_tres_bien",
    "mention_excellent",
    "memoire_weight_written",
    "memoire_weight_oral",
    "memoire_weight_tutor",
)
_BOOL_FIELDS: Final = (
    "compare_rounded",
    "annual_compensation",
    "final_semester_compensable",
    "m2_requires_all_m1_credits",
    "m2_debt_allowed",
    "excluded_may_resit",
)
_INT_FIELDS: Final = (
    "decimals",
    "m2_min_credits_with_debt",
    "max_master_years",
    "semester_credits",
    "final_semester",
)


@dataclass(frozen=True, kw_only=True)
class RuleSet:
    """Every [K]/[P] threshold of academic-rules.md §6 "RuleSet settings", with the 2011 defaults.

    The defaults implement arrêtés 712/714 of 2011 (``"LMD-2011"``); a later rule set
    (arrêté 992/1023) is another instance, never a code change. Decimal fields also accept
    an int or a str; floats are refused.
    """

    name: str = "LMD-2011"
    #: R-ROUND / §1.2: pass mark and scale.
    pass_mark: Decimal = Decimal(10)
    max_mark: Decimal = Decimal(20)
    #: R-ROUND: averages are rounded to ``decimals`` places with ``rounding``.
    decimals: int = 2
    rounding: str = decimal.ROUND_HALF_UP
    #: R-ROUND: compare the rounded value with thresholds (False: the exact value).
    compare_rounded: bool = True
    #: R-MAT-1: weight of the contrôle continu when a module does not say otherwise.
    default_w_cc: Decimal = Decimal("0.40")
    #: R-RAT-1: ``WITH_CC`` recomputes w_cc * CC + w_exam * R; ``EXAM_ONLY`` keeps R.
    rattrapage_mode: str = WITH_CC
    #: [P] whether a student excluded from a module may sit it at the resit.
    excluded_may_resit: bool = False
    #: R-ANN-1: compensation between the two semesters of a year.
    annual_compensation: bool = True
    #: R-MEM-3: the final semester (S4, mémoire) may be acquired by annual compensation.
    final_semester_compensable: bool = False
    #: R-MEM-3: number of the final semester when a Semester does not say it itself.
    final_semester: int = 4
    #: R-PROG-1: M1 → M2 progression.
    m2_requires_all_m1_credits: bool = True
    m2_debt_allowed: bool = False
    m2_min_credits_with_debt: int = 45
    #: §1.9 (arrêté 714): MC = MSE * (1 - a * (r + d/2 + s/4)).
    ranking_factor: Decimal = Decimal("0.04")
    #: §1.9: lower bound of each mention band; ``mention_excellent`` None = no Excellent.
    mention_passable: Decimal = Decimal(10)
    mention_assez_bien: Decimal = Decimal(12)
    mention_bien: Decimal = Decimal(14)
    mention_tres_bien: Decimal = Decimal(16)
    mention_excellent: Decimal | None = None
    #: R-PROG-2: maximum number of years enrolled in the master.
    max_master_years: int = 3
    #: R-MEM-1: mémoire rubric weights (sum 1).
    memoire_weight_written: Decimal = Decimal("0.50")
    memoire_weight_oral: Decimal = Decimal("0.25")
    memoire_weight_tutor: Decimal = Decimal("0.25")
    #: §1.2: credits of one semester.
    semester_credits: int = 30

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise InvalidInputError("name", "must be a non-empty str")
        for name in _DECIMAL_FIELDS:
            value = getattr(self, name)
            if value is None and name == "mention_excellent":
                continue
            object.__setattr__(self, name, _to_decimal(value, name))
        for name in _BOOL_FIELDS:
            if not isinstance(getattr(self, name), bool):
                raise InvalidInputError(name, "must be a bool")
        for name in _INT_FIELDS:
            _to_count(getattr(self, name), name)
        self._validate()

    def _validate(self) -> None:
        self._validate_scale()
        self._validate_weights()
        self._validate_bands()
        self._validate_progression()

    def _validate_scale(self) -> None:
        if self.max_mark <= 0:
            raise InvalidInputError("max_mark", "must be positive")
        if not 0 < self.pass_mark <= self.max_mark:
            raise InvalidInputError("pass_mark", "must be in (0, max_mark]")
        if self.decimals > _MAX_DECIMALS:
            raise InvalidInputError("decimals", f"at most {_MAX_DECIMALS}")
        if self.rounding not in _ROUNDING_MODES:
            raise InvalidInputError("rounding", f"{self.rounding!r} is not a decimal rounding mode")
        if self.rattrapage_mode not in (WITH_CC, EXAM_ONLY):
            raise InvalidInputError("rattrapage_mode", f"must be {WITH_CC!r} or {EXAM_ONLY!r}")

    def _validate_weights(self) -> None:
        for name in (
            "default_w_cc",
            "ranking_factor",
            "memoire_weight_written",
            "memoire_weight_oral",
            "memoire_weight_tutor",
        ):
            _to_weight(getattr(self, name), name)
        total = self.memoire_weight_written + self.memoire_weight_oral + self.memoire_weight_tutor
        if total != 1:
            raise InvalidInputError(
                "memoire_weight_written", f"the three memoire weights sum to {total}"
            )

    def _validate_bands(self) -> None:
        bands = [
            ("mention_passable", self.mention_passable),
            ("mention_assez_bien", self.mention_assez_bien),
            ("mention_bien", self.mention_bien),
            ("mention_tres_bien", self.mention_tres_bien),
        ]
        if self.mention_excellent is not None:
            bands.append(("mention_excellent", self.mention_excellent))
        previous = _ZERO
        for name, bound in bands:
            if not previous <= bound <= self.max_mark:
                raise InvalidInputError(name, f"{bound} must be ascending within [0, max_mark]")
            previous = bound

    def _validate_progression(self) -> None:
        if self.semester_credits == 0:
            raise InvalidInputError("semester_credits", "must be positive")
        if self.final_semester == 0:
            raise InvalidInputError("final_semester", "must be positive")
        if self.max_master_years < _MIN_MASTER_YEARS:
            raise InvalidInputError(
                "max_master_years", f"a master lasts at least {_MIN_MASTER_YEARS} years"
            )
        if self.m2_min_credits_with_debt > _SEMESTERS_PER_YEAR * self.semester_credits:
            raise InvalidInputError("m2_min_credits_with_debt", "more than the credits of a year")
        if self.m2_debt_allowed and self.m2_requires_all_m1_credits:
            raise InvalidInputError(
                "m2_debt_allowed", "contradicts m2_requires_all_m1_credits=True; set it False"
            )

    def round(self, value: Decimal) -> Decimal:
        """Round ``value`` to ``decimals`` places with the rule set's rounding (R-ROUND)."""
        return value.quantize(_ONE.scaleb(-self.decimals), rounding=self.rounding)

    def reaches(self, value: Decimal, threshold: Decimal) -> bool:
        """``value ≥ threshold``, on the rounded value when ``compare_rounded`` (R-ROUND)."""
        compared = self.round(value) if self.compare_rounded else value
        return compared >= threshold

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        """Names of all settings (handy for a settings form or a JSON column)."""
        return tuple(f.name for f in fields(cls))


DEFAULT_RULES: Final = RuleSet()


def passes(value: MarkInput, rules: RuleSet = DEFAULT_RULES) -> bool:
    """Whether a mark or average reaches the pass mark (art. 24; example K: 9.99 no, 10 yes)."""
    return rules.reaches(_to_decimal(value, "value"), rules.pass_mark)


# --------------------------------------------------------------------------------------------
# Marks of one module
# --------------------------------------------------------------------------------------------


def module_mark(
    cc: MarkInput | None,
    exam: MarkInput | None,
    w_cc: MarkInput | None = None,
    rules: RuleSet = DEFAULT_RULES,
) -> Decimal:
    """Module mark ``w_cc * CC + (1 - w_cc) * EXAM``, rounded (R-MAT-1).

    ``None`` for a component is an unjustified absence and counts 0 (R-MAT-2, example L).
    ``w_cc`` defaults to ``rules.default_w_cc`` (0.40); 1 is a 100 % CC module, 0 100 % exam.
    """
    weight = rules.default_w_cc if w_cc is None else _to_weight(w_cc, "w_cc")
    cc_mark = _ZERO if cc is None else _to_mark(cc, "cc", rules)
    exam_mark = _ZERO if exam is None else _to_mark(exam, "exam", rules)
    return rules.round(weight * cc_mark + (1 - weight) * exam_mark)


def resit_session_mark(
    cc: MarkInput | None,
    resit: MarkInput | None,
    w_cc: MarkInput | None = None,
    rules: RuleSet = DEFAULT_RULES,
) -> Decimal | None:
    """The module mark of the resit session alone, before keeping the better one (R-RAT-1).

    ``WITH_CC``: ``w_cc * CC + (1 - w_cc) * R``; ``EXAM_ONLY``: ``R``. ``None`` when the
    student did not sit the resit (``resit is None``).
    """
    if resit is None:
        return None
    if rules.rattrapage_mode == EXAM_ONLY:
        return rules.round(_to_mark(resit, "resit", rules))
    return module_mark(cc=cc, exam=resit, w_cc=w_cc, rules=rules)


def resit_mark(
    first: MarkInput,
    cc: MarkInput | None,
    resit: MarkInput | None,
    w_cc: MarkInput | None = None,
    rules: RuleSet = DEFAULT_RULES,
) -> Decimal:
    """Mark kept after the rattrapage: the better of session 1 and the resit (arrêté 137 art. 27).

    Example E: first 8, CC 10, resit 11 → ``max(8, 0.4*10 + 0.6*11)`` = 10.60 (WITH_CC),
    11.00 (EXAM_ONLY). Absent at the resit (``resit=None``) keeps the first mark.
    """
    first_mark = rules.round(_to_mark(first, "first", rules))
    second = resit_session_mark(cc=cc, resit=resit, w_cc=w_cc, rules=rules)
    if second is None:
        return first_mark
    return max(first_mark, second)


def memoire_mark(
    written: MarkInput,
    oral: MarkInput,
    tutor: MarkInput,
    rules: RuleSet = DEFAULT_RULES,
) -> Decimal:
    """Mémoire mark: written 50 % + soutenance 25 % + tutor 25 % by default (R-MEM-1, ex. I)."""
    total = (
        rules.memoire_weight_written * _to_mark(written, "written", rules)
        + rules.memoire_weight_oral * _to_mark(oral, "oral", rules)
        + rules.memoire_weight_tutor * _to_mark(tutor, "tutor", rules)
    )
    return rules.round(total)


# --------------------------------------------------------------------------------------------
# Structure: semester → unit (UE) → module (matière)
# --------------------------------------------------------------------------------------------


def _require_code(code: object, name: str) -> None:
    if not isinstance(code, str) or not code.strip():
        raise InvalidInputError(name, "must be a non-empty str")


@dataclass(frozen=True, kw_only=True)
class Module:
    """A matière (ECUE) with its coefficient and credits (§1.2)."""

    code: str
    coefficient: Decimal | int = 1
    credits: int = 0

    def __post_init__(self) -> None:
        _require_code(self.code, "code")
        coefficient = _to_decimal(self.coefficient, "coefficient")
        if coefficient <= 0:
            raise InvalidInputError(
                "coefficient", f"module {self.code} has coefficient {coefficient} <= 0"
            )
        if isinstance(self.credits, bool) or not isinstance(self.credits, int):
            raise InvalidInputError("credits", f"module {self.code} credits must be an int")
        if self.credits < 0:
            raise InvalidInputError("credits", f"module {self.code} has credits {self.credits} < 0")

    @property
    def weight(self) -> Decimal:
        """The coefficient as a Decimal."""
        return _to_decimal(self.coefficient, "coefficient")


@dataclass(frozen=True, kw_only=True)
class Unit:
    """An unité d'enseignement: its credits and coefficient are its modules' sums (§1.2)."""

    code: str
    modules: Sequence[Module]

    def __post_init__(self) -> None:
        _require_code(self.code, "code")
        modules = tuple(self.modules)
        if not modules:
            raise InvalidInputError("modules", f"unit {self.code} has no modules")
        for module in modules:
            if not isinstance(module, Module):
                raise InvalidInputError(
                    "modules", f"unit {self.code} holds a {type(module).__name__}"
                )
        codes = [m.code for m in modules]
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            raise InvalidInputError(
                "modules", f"unit {self.code} lists {', '.join(duplicates)} twice"
            )
        object.__setattr__(self, "modules", modules)

    @property
    def credits(self) -> int:
        return sum(m.credits for m in self.modules)

    @property
    def coefficient(self) -> Decimal:
        return sum((m.weight for m in self.modules), _ZERO)


@dataclass(frozen=True, kw_only=True)
class Semester:
    """A semester of the master; ``final`` marks the mémoire semester (R-MEM-3).

    ``final=None`` means "the semester numbered ``RuleSet.final_semester``" (S4).
    """

    number: int
    units: Sequence[Unit]
    final: bool | None = None

    def __post_init__(self) -> None:
        if isinstance(self.number, bool) or not isinstance(self.number, int) or self.number < 1:
            raise InvalidInputError("number", "must be an int >= 1")
        units = tuple(self.units)
        if not units:
            raise InvalidInputError("units", f"semester {self.number} has no units")
        seen_units: set[str] = set()
        owner: dict[str, str] = {}
        for unit in units:
            if not isinstance(unit, Unit):
                raise InvalidInputError(
                    "units", f"semester {self.number} holds a {type(unit).__name__}"
                )
            if unit.code in seen_units:
                raise InvalidInputError("units", f"unit {unit.code} appears twice")
            seen_units.add(unit.code)
            for module in unit.modules:
                if module.code in owner:
                    raise InvalidInputError(
                        "units",
                        f"module {module.code} appears in {owner[module.code]} and {unit.code}",
                    )
                owner[module.code] = unit.code
        object.__setattr__(self, "units", units)

    @property
    def modules(self) -> tuple[Module, ...]:
        return tuple(m for u in self.units for m in u.modules)

    @property
    def credits(self) -> int:
        return sum(u.credits for u in self.units)

    @property
    def coefficient(self) -> Decimal:
        return sum((u.coefficient for u in self.units), _ZERO)

    def is_final(self, rules: RuleSet = DEFAULT_RULES) -> bool:
        return self.final if self.final is not None else self.number == rules.final_semester


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ModuleResult:
    """One module in a semester result.

    ``mark`` is the mark used (None for ABJ, or for an exclusion without a mark; both count 0
    in averages); ``acquired`` is "≥ pass mark on its own and not excluded" (art. 24);
    ``credits`` the credits held, including through UE or semester compensation.
    """

    code: str
    mark: Decimal | None
    acquired: bool
    credits: int
    excluded: bool
    status: str


@dataclass(frozen=True, kw_only=True)
class UnitResult:
    """One UE in a semester result.

    ``acquired``: on its own — all modules acquired, or UE average ≥ pass mark when
    compensation is allowed (art. 24). ``compensated``: acquired that second way.
    ``credits``: credits held — all the UE's credits if the UE or the semester is acquired,
    else the credits of its acquired modules (art. 25, capitalisation).
    """

    code: str
    average: Decimal
    exact_average: Decimal
    acquired: bool
    compensated: bool
    credits: int
    total_credits: int
    coefficient: Decimal


@dataclass(frozen=True, kw_only=True)
class SemesterResult:
    """Outcome of one semester at one session (art. 25).

    ``decision``: ``ADMIS`` (every UE acquired, possibly by compensation inside the UE),
    ``ADMIS_COMP`` (acquired by compensation between UEs), ``ADMIS_RATT`` (acquired at the
    resit session), ``AJOURNE`` (not acquired, including any exclusion from a module —
    ``exclusion`` is then True), ``EXCLU`` (excluded from every module of the semester).
    ``resit_modules``: modules not acquired, inside UEs not acquired, of a semester not
    acquired (§1.7); empty after the resit session.
    """

    number: int
    session: str
    final: bool
    average: Decimal
    exact_average: Decimal
    credits: int
    total_credits: int
    acquired: bool
    compensated: bool
    exclusion: bool
    decision: str
    units: Mapping[str, UnitResult]
    modules: Mapping[str, ModuleResult]
    resit_modules: frozenset[str]


@dataclass(frozen=True, kw_only=True)
class YearResult:
    """Outcome of a year (two semesters) after annual compensation (R-ANN-1, R-MEM-3).

    ``semesters``: credits held per semester number; ``flags``: per semester number, e.g.
    ``{1: frozenset({ACQUIS_PAR_COMPENSATION_ANNUELLE}), 2: frozenset()}``;
    ``resit_semesters``: semesters still not acquired after a normal session.
    """

    average: Decimal
    exact_average: Decimal
    credits: int
    total_credits: int
    acquired: bool
    compensated: bool
    decision: str
    semesters: Mapping[int, int]
    acquired_semesters: frozenset[int]
    flags: Mapping[int, frozenset[str]]
    resit_semesters: frozenset[int]


@dataclass(frozen=True, kw_only=True)
class FinalResult:
    """End of cursus: MSE, ranking average MC and mention (§1.9, arrêté 714)."""

    average: Decimal
    exact_average: Decimal
    ranking_average: Decimal
    ranking_coefficient: Decimal
    mention: str | None


# --------------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------------


def _code_set(values: Iterable[str], name: str, known: AbstractSet[str]) -> frozenset[str]:
    codes = frozenset(values)
    unknown = sorted(codes - known)
    if unknown:
        raise InvalidInputError(name, f"unknown module code(s) {', '.join(unknown)}")
    return codes


def _read_marks(
    modules: Sequence[Module],
    marks: Mapping[str, MarkInput | None],
    excluded: frozenset[str],
    absent_justified: frozenset[str],
    rules: RuleSet,
) -> dict[str, Decimal | None]:
    known = {m.code for m in modules}
    unknown = sorted(set(marks) - known)
    if unknown:
        raise InvalidInputError("marks", f"unknown module code(s) {', '.join(map(str, unknown))}")
    both = sorted(excluded & absent_justified)
    if both:
        raise InvalidInputError("absent_justified", f"{', '.join(both)} also in excluded")
    result: dict[str, Decimal | None] = {}
    for module in modules:
        code = module.code
        name = f"marks[{code!r}]"
        if code in absent_justified:
            if marks.get(code) is not None:
                raise InvalidInputError(name, f"module {code} is absent_justified, it has no mark")
            result[code] = None
        elif code in excluded:
            value = marks.get(code)
            result[code] = None if value is None else _to_mark(value, name, rules)
        elif code not in marks:
            raise InvalidInputError(name, f"no mark for module {code}")
        else:
            value = marks[code]
            # R-MAT-2: an explicit None is an unjustified absence and counts 0.
            result[code] = _ZERO if value is None else _to_mark(value, name, rules)
    return result


def _weighted_average(pairs: Iterable[tuple[Decimal, Decimal | None]]) -> Decimal:
    total = _ZERO
    weights = _ZERO
    for weight, mark in pairs:
        total += weight * (mark if mark is not None else _ZERO)
        weights += weight
    return _divide(total, weights)


@dataclass(frozen=True)
class _UnitOutcome:
    exact_average: Decimal
    all_acquired: bool
    acquired: bool


def _unit_outcome(
    unit: Unit,
    acquired_modules: AbstractSet[str],
    marks: Mapping[str, Decimal | None],
    *,
    compensation: bool,
    rules: RuleSet,
) -> _UnitOutcome:
    exact = _weighted_average((m.weight, marks[m.code]) for m in unit.modules)
    all_acquired = all(m.code in acquired_modules for m in unit.modules)
    acquired = all_acquired or (compensation and rules.reaches(exact, rules.pass_mark))
    return _UnitOutcome(exact, all_acquired, acquired)


def _own_acquired(
    marks: Mapping[str, Decimal | None], excluded: AbstractSet[str], rules: RuleSet
) -> frozenset[str]:
    return frozenset(
        code
        for code, mark in marks.items()
        if code not in excluded and mark is not None and rules.reaches(mark, rules.pass_mark)
    )


def _module_status(
    code: str,
    excluded: AbstractSet[str],
    absent_justified: AbstractSet[str],
    own: AbstractSet[str],
    *,
    credited: bool,
) -> str:
    if code in excluded:
        return MODULE_EXCLU
    if code in absent_justified:
        return MODULE_ABJ
    if code in own:
        return MODULE_ACQUIS
    return MODULE_COMPENSE if credited else MODULE_NON_ACQUIS


def evaluate_unit(
    unit: Unit,
    marks: Mapping[str, MarkInput | None],
    *,
    excluded: AbstractSet[str] = frozenset(),
    absent_justified: AbstractSet[str] = frozenset(),
    compensation: bool = True,
    rules: RuleSet = DEFAULT_RULES,
) -> UnitResult:
    """A UE on its own (art. 24, example B): acquired if all modules are, or by compensation.

    An exclusion from one of its modules forbids the compensation; so does
    ``compensation=False`` (an exclusion elsewhere in the semester, art. 25).
    """
    known = {m.code for m in unit.modules}
    excl = _code_set(excluded, "excluded", known)
    abj = _code_set(absent_justified, "absent_justified", known)
    read = _read_marks(unit.modules, marks, excl, abj, rules)
    own = _own_acquired(read, excl, rules)
    outcome = _unit_outcome(unit, own, read, compensation=compensation and not excl, rules=rules)
    own_credits = sum(m.credits for m in unit.modules if m.code in own)
    return UnitResult(
        code=unit.code,
        average=rules.round(outcome.exact_average),
        exact_average=outcome.exact_average,
        acquired=outcome.acquired,
        compensated=outcome.acquired and not outcome.all_acquired,
        credits=unit.credits if outcome.acquired else own_credits,
        total_credits=unit.credits,
        coefficient=unit.coefficient,
    )


def evaluate_semester(
    sem: Semester,
    marks: Mapping[str, MarkInput | None],
    *,
    excluded: AbstractSet[str] = frozenset(),
    absent_justified: AbstractSet[str] = frozenset(),
    rules: RuleSet = DEFAULT_RULES,
    session: str = SESSION_NORMAL,
) -> SemesterResult:
    """Evaluate a semester from its module marks (arts. 24-25, examples C, D, J, K).

    ``marks`` maps every module code to its mark; ``None`` is an unjustified absence (0).
    A module in ``excluded`` (R-MAT-3) may have a mark (it still counts in the averages,
    example J) or not (counts 0); it is never acquired and, since exclusion forbids any
    compensation for the student (art. 25), no UE or semester is then acquired by
    compensation. A module in ``absent_justified`` (ABJ) has no mark, counts 0 and is not
    acquired. ``session=SESSION_RESIT`` evaluates marks kept after the rattrapage
    (prefer :func:`evaluate_resit`): an acquired semester is then ``ADMIS_RATT``.
    """
    if session not in (SESSION_NORMAL, SESSION_RESIT):
        raise InvalidInputError("session", f"must be {SESSION_NORMAL!r} or {SESSION_RESIT!r}")
    if sem.credits != rules.semester_credits:
        raise InvalidInputError(
            "sem",
            f"semester {sem.number} modules carry {sem.credits} credits, "
            f"the rule set expects {rules.semester_credits}",
        )
    modules = sem.modules
    known = {m.code for m in modules}
    excl = _code_set(excluded, "excluded", known)
    abj = _code_set(absent_justified, "absent_justified", known)
    read = _read_marks(modules, marks, excl, abj, rules)
    own = _own_acquired(read, excl, rules)

    compensation = not excl
    outcomes = {
        u.code: _unit_outcome(u, own, read, compensation=compensation, rules=rules)
        for u in sem.units
    }
    exact = _weighted_average((m.weight, read[m.code]) for m in modules)
    all_units = all(o.acquired for o in outcomes.values())
    acquired = all_units or (compensation and rules.reaches(exact, rules.pass_mark))
    compensated = acquired and not all_units

    module_results: dict[str, ModuleResult] = {}
    unit_results: dict[str, UnitResult] = {}
    resit: set[str] = set()
    for unit in sem.units:
        outcome = outcomes[unit.code]
        for module in unit.modules:
            code = module.code
            credited = acquired or outcome.acquired or code in own
            module_results[code] = ModuleResult(
                code=code,
                mark=read[code],
                acquired=code in own,
                credits=module.credits if credited else 0,
                excluded=code in excl,
                status=_module_status(code, excl, abj, own, credited=credited),
            )
            resit_allowed = code not in excl or rules.excluded_may_resit
            if not acquired and not outcome.acquired and code not in own and resit_allowed:
                resit.add(code)
        unit_results[unit.code] = UnitResult(
            code=unit.code,
            average=rules.round(outcome.exact_average),
            exact_average=outcome.exact_average,
            acquired=outcome.acquired,
            compensated=outcome.acquired and not outcome.all_acquired,
            credits=sum(module_results[m.code].credits for m in unit.modules),
            total_credits=unit.credits,
            coefficient=unit.coefficient,
        )

    if excl == known:
        decision = EXCLU
    elif not acquired:
        decision = AJOURNE
    elif session == SESSION_RESIT:
        decision = ADMIS_RATT
    else:
        decision = ADMIS_COMP if compensated else ADMIS
    if session == SESSION_RESIT or decision == EXCLU:
        resit.clear()

    return SemesterResult(
        number=sem.number,
        session=session,
        final=sem.is_final(rules),
        average=rules.round(exact),
        exact_average=exact,
        credits=sum(u.credits for u in unit_results.values()),
        total_credits=sem.credits,
        acquired=acquired,
        compensated=compensated,
        exclusion=bool(excl),
        decision=decision,
        units=unit_results,
        modules=module_results,
        resit_modules=frozenset(resit),
    )


def evaluate_resit(
    sem: Semester,
    *,
    first: SemesterResult,
    resit_marks: Mapping[str, MarkInput | None],
    rules: RuleSet = DEFAULT_RULES,
) -> SemesterResult:
    """Re-evaluate a semester after the rattrapage (§1.7, example E).

    ``resit_marks`` maps modules of ``first.resit_modules`` to their resit-session mark
    (:func:`resit_session_mark`, or :func:`resit_mark` — the better one is kept either way);
    ``None`` or a missing code means absent at the resit. The kept mark is
    ``max(session 1, resit)``; exclusions carry over; a justified absence with no resit mark
    stays ABJ. The result is ``ADMIS_RATT`` if the semester is now acquired, else ``AJOURNE``.
    """
    if first.session != SESSION_NORMAL:
        raise InvalidInputError("first", "must be the result of the normal session")
    if first.acquired:
        raise InvalidInputError("first", "the semester was acquired at the normal session")
    if first.number != sem.number or set(first.modules) != {m.code for m in sem.modules}:
        raise InvalidInputError("first", "is not a result of this semester")
    if not first.resit_modules and resit_marks:
        raise InvalidInputError("resit_marks", "the semester has no module to resit")
    outside = sorted(set(resit_marks) - first.resit_modules)
    if outside:
        raise InvalidInputError(
            "resit_marks", f"{', '.join(map(str, outside))} not in the resit list"
        )

    kept: dict[str, MarkInput | None] = {}
    excluded: set[str] = set()
    absent_justified: set[str] = set()
    for code, module in first.modules.items():
        value = resit_marks.get(code)
        second = None if value is None else _to_mark(value, f"resit_marks[{code!r}]", rules)
        if module.excluded:
            excluded.add(code)
        if second is None:
            if module.status == MODULE_ABJ:
                absent_justified.add(code)
            kept[code] = module.mark
        else:
            previous = module.mark if module.mark is not None else _ZERO
            kept[code] = max(previous, second)
    # An excluded module is evaluated as such even when it was allowed to sit the resit.
    return evaluate_semester(
        sem,
        marks=kept,
        excluded=excluded,
        absent_justified=absent_justified,
        rules=rules,
        session=SESSION_RESIT,
    )


def evaluate_year(
    first: SemesterResult,
    second: SemesterResult,
    rules: RuleSet = DEFAULT_RULES,
) -> YearResult:
    """Annual compensation (R-ANN-1, examples F and F2; R-MEM-3).

    ``moy_annuelle = (moy_S_odd + moy_S_even) / 2`` from the semester averages as published
    (rounded; exact when ``compare_rounded`` is False). If it reaches the pass mark and
    ``annual_compensation`` is on, a non-acquired semester becomes acquired with the flag
    ``ACQUIS_PAR_COMPENSATION_ANNUELLE`` — except a final semester (S4) unless
    ``final_semester_compensable``, and never for a student with an exclusion (art. 25).
    """
    if first.number % 2 != 1:
        raise InvalidInputError(
            "first", f"semester {first.number} is not the odd semester of a year"
        )
    if second.number != first.number + 1:
        raise InvalidInputError(
            "second", f"expected semester {first.number + 1}, got {second.number}"
        )
    results = (first, second)
    if rules.compare_rounded:
        exact = _divide(first.average + second.average, Decimal(2))
    else:
        exact = _divide(first.exact_average + second.exact_average, Decimal(2))
    can_compensate = (
        rules.annual_compensation
        and not any(r.exclusion or r.decision == EXCLU for r in results)
        and rules.reaches(exact, rules.pass_mark)
    )
    acquired: set[int] = set()
    flags: dict[int, frozenset[str]] = {}
    held: dict[int, int] = {}
    for r in results:
        flags[r.number] = frozenset()
        if r.acquired:
            acquired.add(r.number)
        elif can_compensate and (not r.final or rules.final_semester_compensable):
            acquired.add(r.number)
            flags[r.number] = frozenset({ACQUIS_PAR_COMPENSATION_ANNUELLE})
        held[r.number] = r.total_credits if r.number in acquired else r.credits
    year_acquired = len(acquired) == _SEMESTERS_PER_YEAR
    compensated = any(flags.values()) or any(r.compensated for r in results)
    if not year_acquired:
        decision = AJOURNE
    elif any(r.decision == ADMIS_RATT for r in results):
        decision = ADMIS_RATT
    elif compensated:
        decision = ADMIS_COMP
    else:
        decision = ADMIS
    return YearResult(
        average=rules.round(exact),
        exact_average=exact,
        credits=sum(held.values()),
        total_credits=first.total_credits + second.total_credits,
        acquired=year_acquired,
        compensated=compensated,
        decision=decision,
        semesters=held,
        acquired_semesters=frozenset(acquired),
        flags=flags,
        resit_semesters=frozenset(
            r.number
            for r in results
            if r.number not in acquired and r.session == SESSION_NORMAL and r.resit_modules
        ),
    )


# --------------------------------------------------------------------------------------------
# Progression, final average, mention
# --------------------------------------------------------------------------------------------


def progression_m1_m2(credits_m1: int, rules: RuleSet = DEFAULT_RULES) -> str:
    """M1 → M2 decision (R-PROG-1): ``ADMIS``, ``ADMIS_DETTES`` or ``AJOURNE``.

    All the M1 credits (2 * ``semester_credits``) → ``ADMIS``. Otherwise, only when
    ``m2_debt_allowed`` (which requires ``m2_requires_all_m1_credits=False``, arrêté 1023)
    and at least ``m2_min_credits_with_debt`` credits → ``ADMIS_DETTES``.
    """
    year_credits = _SEMESTERS_PER_YEAR * rules.semester_credits
    acquired = _to_count(credits_m1, "credits_m1")
    if acquired > year_credits:
        raise InvalidInputError(
            "credits_m1", f"{acquired} exceeds the {year_credits} credits of M1"
        )
    if acquired == year_credits:
        return ADMIS
    if (
        rules.m2_debt_allowed
        and not rules.m2_requires_all_m1_credits
        and acquired >= rules.m2_min_credits_with_debt
    ):
        return ADMIS_DETTES
    return AJOURNE


def may_reenroll(years_enrolled: int, rules: RuleSet = DEFAULT_RULES) -> bool:
    """Whether a student who has spent ``years_enrolled`` years may enrol again (R-PROG-2)."""
    return _to_count(years_enrolled, "years_enrolled") < rules.max_master_years


def mention_for(average: MarkInput, rules: RuleSet = DEFAULT_RULES) -> str | None:
    """Mention of an MSE (§1.9); ``None`` below the Passable band (no mention).

    With ``compare_rounded`` the average is rounded first (example H4: 11.995 → 12.00 →
    Assez bien; Passable when comparing the exact value).
    """
    value = _to_mark(average, "average", rules)
    compared = rules.round(value) if rules.compare_rounded else value
    if rules.mention_excellent is not None and compared >= rules.mention_excellent:
        return EXCELLENT
    bands = (
        (rules.mention_tres_bien, TRES_BIEN),
        (rules.mention_bien, BIEN),
        (rules.mention_assez_bien, ASSEZ_BIEN),
        (rules.mention_passable, PASSABLE),
    )
    for bound, mention in bands:
        if compared >= bound:
            return mention
    return None


def final_result(
    semester_averages: Sequence[MarkInput],
    repeats: int = 0,
    debts: int = 0,
    resits: int = 0,
    rules: RuleSet = DEFAULT_RULES,
) -> FinalResult:
    """MSE, ranking average and mention at the end of the cursus (arrêté 714, examples G-H4).

    ``MSE = Σ MS_i / n``; ``MC = MSE * (1 - a * (r + d/2 + s/4))`` with ``r = repeats``
    (redoublements, per year), ``d = debts`` (admissions with debts, per year), ``s = resits``
    (admissions after rattrapage, per semester), ``a = ranking_factor``. MC is computed from
    the exact MSE and rounded once, and never goes below 0. The mention is taken on MSE.
    """
    if isinstance(semester_averages, (str, bytes)) or not semester_averages:
        raise InvalidInputError("semester_averages", "must be a non-empty sequence of averages")
    values = [
        _to_mark(v, f"semester_averages[{i}]", rules) for i, v in enumerate(semester_averages)
    ]
    r = _to_count(repeats, "repeats")
    d = _to_count(debts, "debts")
    s = _to_count(resits, "resits")
    exact = _divide(sum(values, _ZERO), Decimal(len(values)))
    coefficient = 1 - rules.ranking_factor * (Decimal(r) + Decimal(d) / 2 + Decimal(s) / 4)
    coefficient = max(coefficient, _ZERO)
    return FinalResult(
        average=rules.round(exact),
        exact_average=exact,
        ranking_average=rules.round(exact * coefficient),
        ranking_coefficient=coefficient,
        mention=mention_for(exact, rules),
    )

from __future__ import annotations

from certificates.codes import ALPHABET, new_code, normalise


def test_a_code_is_typeable_and_carries_65_random_bits_and_a_check_character():
    code = new_code()
    raw = code.replace("-", "")
    assert len(raw) == 14
    assert all(c in ALPHABET for c in raw[:-1])
    assert normalise(code) == code
    assert normalise(code.lower().replace("-", " ")) == code


def test_a_typo_is_caught_by_the_check_character():
    code = new_code()
    raw = code.replace("-", "")
    wrong = ("1" if raw[3] != "1" else "2").join([raw[:3], raw[4:]])
    assert normalise(wrong) is None


def test_letters_that_look_like_digits_are_forgiven():
    code = new_code()
    assert normalise(code.replace("0", "O").replace("1", "I")) == code


def test_garbage_is_not_a_code():
    for value in ("", "abc", "X" * 14, "../../etc/passwd", "0000-0000-0000-00"):
        assert normalise(value) in (None, "0000-0000-0000-00") or normalise(value) is None
    assert normalise("../../etc/passwd") is None

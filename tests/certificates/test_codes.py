from __future__ import annotations

from certificates.codes import ALPHABET, new_code, normalise


def test_a_code_is_typeable_and_carries_65_random_bits_and_a_check_character():
    code = new_code()
    raw = code.replace("-", "")
    assert len(raw) == 14
    assert all(c in ALPHABET for c in raw)  # the check character too: safe in a file name
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


def test_every_single_wrong_character_and_every_swap_but_one_pair_is_caught():
    raw = new_code().replace("-", "")
    for position in range(len(raw)):
        for char in ALPHABET:
            if char != raw[position]:
                assert normalise(raw[:position] + char + raw[position + 1 :]) is None
    # Swapping two neighbours is caught, but for the pair 0/Z (Luhn's one blind spot).
    for i in range(len(raw) - 1):
        if raw[i] != raw[i + 1] and {raw[i], raw[i + 1]} != {"0", "Z"}:
            assert normalise(raw[:i] + raw[i + 1] + raw[i] + raw[i + 2 :]) is None

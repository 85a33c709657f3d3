"""Natural order: numbers inside names compare as numbers."""

from phantom_desktop.core.natural_sort import natural_key


def test_w2_sorts_before_w10_and_case_is_ignored() -> None:
    names = ["w-10", "W-2", "w-1", "Fridge", "fridge 2", "w-2b", "10 lamp", "2 lamp"]
    assert sorted(names, key=natural_key) == [
        "2 lamp",
        "10 lamp",
        "Fridge",
        "fridge 2",
        "w-1",
        "W-2",
        "w-2b",
        "w-10",
    ]


def test_names_mixing_text_and_numbers_at_the_same_place_still_compare() -> None:
    assert sorted(["a1", "ab", "a"], key=natural_key) == ["a", "a1", "ab"]


def test_long_numbers_and_leading_zeros_compare_by_value() -> None:
    names = ["plug 100000000000000000000", "plug 007", "plug 99999999999999999999", "plug 8"]
    assert sorted(names, key=natural_key) == [
        "plug 007",
        "plug 8",
        "plug 99999999999999999999",
        "plug 100000000000000000000",
    ]

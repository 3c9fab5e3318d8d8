"""unique_filename: the first free "stem.ext", "stem-2.ext", ... within the length limit."""

from __future__ import annotations

import pytest

from core.naming import unique_filename

AT_LIMIT = "handcrafted-red-leather-shoulder-handbag-summer-sale-lyon-uk"  # 60 characters


@pytest.mark.parametrize(
    ("stem", "taken", "max_length", "expected"),
    [
        pytest.param("red-handbag", [], 60, "red-handbag.jpg", id="free"),
        pytest.param("red-handbag", ["blue-handbag.jpg"], 60, "red-handbag.jpg", id="other-names-taken"),
        pytest.param("red-handbag", ["red-handbag.jpg"], 60, "red-handbag-2.jpg", id="taken-once"),
        pytest.param("red-handbag", ["RED-Handbag.JPG"], 60, "red-handbag-2.jpg", id="taken-case-insensitively"),
        pytest.param("red-handbag", ["red-handbag.png"], 60, "red-handbag.jpg", id="other-extension-is-another-name"),
        pytest.param(
            "red-handbag",
            ["red-handbag.jpg", "red-handbag-2.jpg", "red-handbag-4.jpg"],
            60,
            "red-handbag-3.jpg",
            id="first-gap",
        ),
        pytest.param(
            "red-handbag",
            ["red-handbag.jpg", *(f"red-handbag-{n}.jpg" for n in range(2, 1000))],
            60,
            "red-handbag-1000.jpg",
            id="a-thousand-taken",
        ),
        pytest.param(
            AT_LIMIT,
            [f"{AT_LIMIT}.jpg"],
            60,
            "handcrafted-red-leather-shoulder-handbag-summer-sale-lyon-2.jpg",
            id="at-limit-drops-a-word",
        ),
        pytest.param(
            AT_LIMIT,
            [
                f"{AT_LIMIT}.jpg",
                *(f"handcrafted-red-leather-shoulder-handbag-summer-sale-lyon-{n}.jpg" for n in range(2, 10)),
            ],
            60,
            "handcrafted-red-leather-shoulder-handbag-summer-sale-lyon-10.jpg",
            id="at-limit-two-digit-suffix-still-fits",
        ),
        pytest.param(
            AT_LIMIT,
            [
                f"{AT_LIMIT}.jpg",
                *(f"handcrafted-red-leather-shoulder-handbag-summer-sale-lyon-{n}.jpg" for n in range(2, 100)),
            ],
            60,
            "handcrafted-red-leather-shoulder-handbag-summer-sale-100.jpg",
            id="at-limit-three-digit-suffix-drops-another-word",
        ),
        pytest.param(
            AT_LIMIT, ["handcrafted-red-leather.jpg"], 30, "handcrafted-red-leather-2.jpg", id="trimmed-name-taken-too"
        ),
        pytest.param(AT_LIMIT, [], 30, "handcrafted-red-leather.jpg", id="over-limit-stem-is-trimmed-even-when-free"),
        pytest.param("a" * 60, ["a" * 60 + ".jpg"], 60, "2.jpg", id="single-word-at-limit-never-cut-mid-word"),
        pytest.param("con", [], 60, "con-2.jpg", id="reserved-stem-gets-a-number"),
    ],
)
def test_unique_filename(stem: str, taken: list[str], max_length: int, expected: str) -> None:
    name = unique_filename(stem, "jpg", taken, max_length=max_length)
    assert name == expected
    assert name.lower() not in {t.lower() for t in taken}
    assert len(name.removesuffix(".jpg")) <= max_length


def test_suffixed_names_only_drop_whole_words() -> None:
    taken = {f"{AT_LIMIT}.jpg"}
    for _ in range(150):
        name = unique_filename(AT_LIMIT, "jpg", taken)
        stem = name.removesuffix(".jpg")
        words, number = stem.rsplit("-", 1)
        assert AT_LIMIT.startswith(words + "-")  # a prefix made of whole words
        assert number.isdigit()
        assert len(stem) <= 60
        taken.add(name.upper())  # the next call must see it whatever its case
    assert len(taken) == 151


def test_the_extension_is_lowercased() -> None:
    assert unique_filename("sunset", "JPG", []) == "sunset.jpg"

"""``freeText``: whole words with ``*`` prefixes (min 3), as the server's Sphinx MATCH."""

from __future__ import annotations

from typing import Any

from kaltura_mm.sandbox import Sandbox
from kaltura_mm.sandbox.free_text import CATEGORIES, ENTRIES, matches
from tests.sandbox.helpers import Api


def test_whole_words_not_substrings() -> None:
    fields: list[str | None] = ["Lecture 01: Cell Biology", "bio, lab", None]
    assert matches("lecture", fields)
    assert matches("LECTURE cell", fields)  # words ANDed, case folded
    assert not matches("lect", fields)  # no substring
    assert not matches("ecture", fields)
    assert matches("lect*", fields) and matches("bio*", fields)
    assert not matches("le*", fields)  # a prefix needs 3 characters
    assert matches("01", fields) and not matches("1", fields)
    assert not matches("lecture chemistry", fields)
    assert matches("lecture chemistry,biology", fields)  # comma parts ORed
    assert matches("lab", fields)  # tags are words too
    assert not matches("lecture !cell", fields)  # ! excludes


def test_exact_phrase_and_blended_words() -> None:
    assert matches('"Intro to bio"', ["intro to Bio"])
    assert not matches('"Intro to"', ["Intro to bio"])  # the whole field
    assert matches("café", ["Cafe talk"]) and matches("cafe", ["Café talk"])
    assert matches("x-ray", ["X-ray imaging"]) and matches("ray", ["X-ray imaging"])
    assert matches("x-ray", ["x ray imaging"])  # its parts next to each other
    assert not matches("x-ray", ["ray x"])
    assert matches("0_abc12345", ["0_abc12345"]) and matches("abc12345", ["0_abc12345"])
    # outside the charset: separators, so no word is left and the term restricts nothing
    assert matches("לימוד", ["anything"]) and matches("לימוד lect*", ["Lecture"])
    assert not matches("לימוד lect*", ["לימוד"])


def test_categories_use_their_own_charset() -> None:
    assert matches("b*", ["Bio"], CATEGORIES)  # min prefix 1 for categories
    assert not matches("b*", ["Bio"], ENTRIES)
    assert matches("c++", ["C++ intro"], CATEGORIES)  # + is a word character there


def _listed(api: Api, text: str) -> set[str]:
    found = api.call(
        "baseEntry",
        "list",
        filter={"objectType": "KalturaBaseEntryFilter", "freeText": text, "statusIn": "2,7"},
    )
    return {e["name"] for e in found["objects"]}


def test_entry_list_free_text_over_the_api(sb: Sandbox, api: Api) -> None:
    for name, extra in (
        ("Lecture 01 Cell Biology", {"tags": "bio,lab"}),
        ("Lectures archive", {"description": "old recordings"}),
        ("Seminar", {"referenceId": "sem-2024"}),
    ):
        api.new_entry(name, **extra)
    sb.index.settle()
    assert _listed(api, "lecture") == {"Lecture 01 Cell Biology"}
    assert _listed(api, "lect*") == {"Lecture 01 Cell Biology", "Lectures archive"}
    assert _listed(api, "lec") == set()
    assert _listed(api, "le*") == set()
    assert _listed(api, "recordings") == {"Lectures archive"}
    assert _listed(api, "sem-2024") == {"Seminar"}
    assert _listed(api, "lab,seminar") == {"Lecture 01 Cell Biology", "Seminar"}
    entry: dict[str, Any] = api.new_entry("by id")
    sb.index.settle()
    assert _listed(api, entry["id"]) == {"by id"}


def test_category_list_free_text_over_the_api(sb: Sandbox, api: Api) -> None:
    for path in ("Courses>Biology 101", "Courses>Bioinformatics", "Archive"):
        sb.create_category(path)

    def names(text: str) -> set[str]:
        found = api.call(
            "category", "list", filter={"objectType": "KalturaCategoryFilter", "freeText": text}
        )
        return {c["name"] for c in found["objects"]}

    assert names("biology") == {"Biology 101"}
    assert names("bio") == set()  # not a substring
    assert names("bio*") == {"Biology 101", "Bioinformatics"}
    assert names("101 biology") == {"Biology 101"}

"""What a run remembers of the tokens it listed, so a last look asks only for what is newer."""

from __future__ import annotations

from kaltura_mm.upload.identity import TokenNames
from kaltura_mm.upload.seen import FULL_PAGE, LOOK_PAGE, SKEW, SeenToken, SeenTokens

NAMES = TokenNames(prefix="clip.kmm0123456789abcdef0123", suffix=".mp4")


def test_a_size_never_listed_whole_is_looked_at_with_the_full_page() -> None:
    seen = SeenTokens()
    assert seen.page_size(100) == FULL_PAGE
    seen.record(100, [SeenToken("a", "x.mp4", 50)], complete=False)  # a full page: maybe more
    assert seen.page_size(100) == FULL_PAGE
    seen.record(100, [SeenToken("a", "x.mp4", 50)], complete=True)
    assert seen.page_size(100) == LOOK_PAGE and seen.page_size(101) == FULL_PAGE


def test_a_page_reaches_what_was_listed_only_past_the_newest_second_and_the_skew() -> None:
    seen = SeenTokens()
    seen.record(100, [SeenToken("a", "x.mp4", 40), SeenToken("b", "y.mp4", 50)], complete=True)
    newer = [SeenToken("c", "z.mp4", 60), SeenToken("d", "w.mp4", 50 - SKEW)]
    assert not seen.reaches(100, newer, exhausted=False)  # the second before may hold more
    assert seen.reaches(100, [*newer, SeenToken("e", "v.mp4", 49 - SKEW)], exhausted=False)
    assert seen.reaches(100, newer, exhausted=True)  # a short page: no older token exists
    assert not SeenTokens().reaches(100, newer, exhausted=False)  # nothing listed whole


def test_the_tokens_under_an_uploads_names_are_found_and_forgotten() -> None:
    seen = SeenTokens()
    seen.record(
        100,
        [
            SeenToken("r", NAMES.receipt("0_abcdefgh"), 1),
            SeenToken("m", NAMES.marker, 1),
            SeenToken("near", NAMES.prefix + ".not an id.mp4", 1),
            SeenToken("other", "clip.kmmffffffffffffffffffff.0_abcdefgh.mp4", 1),
        ],
        complete=True,
    )
    assert seen.named(NAMES) == {"r", "m"}
    seen.forget(["m", None])
    assert seen.named(NAMES) == {"r"}

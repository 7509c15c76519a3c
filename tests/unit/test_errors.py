"""The error tree and the retry rule."""

from __future__ import annotations

import pickle
import re

import pytest

import kaltura_mm
from kaltura_mm import errors
from kaltura_mm.errors import (
    ActionBlockedError,
    AmbiguousCategoryError,
    ApiError,
    CategoryLookupError,
    CategoryNotFoundError,
    ConfigError,
    InvalidKsError,
    KalturaError,
    ResponseError,
    TransportError,
    is_retryable,
    redact,
)
from kaltura_mm.protocol.calls import Call
from kaltura_mm.services import base_entry

READ = base_entry.get("0_a")
ADD = base_entry.add(base_entry.BaseEntryParams(name="x"))


def test_codes_map_to_subclasses_and_unknown_codes_to_api_error() -> None:
    assert type(ApiError.create("CATEGORY_NOT_FOUND", "m")) is CategoryNotFoundError
    assert type(ApiError.create("INVALID_KS", "m")) is InvalidKsError
    plain = ApiError.create("SOMETHING_NEW", "m", {"A": "1"}, "x.y")
    assert type(plain) is ApiError and plain.kaltura_args == {"A": "1"}
    assert str(plain) == "SOMETHING_NEW: m (in x.y)"


def test_api_errors_survive_pickling() -> None:
    error = ApiError.create("CATEGORY_NOT_FOUND", 'Category id "5" not found', {"ID": "5"}, "c.g")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is CategoryNotFoundError and copy.kaltura_args == {"ID": "5"}


def test_config_error_is_a_value_error() -> None:
    assert issubclass(ConfigError, ValueError) and issubclass(ConfigError, KalturaError)


@pytest.mark.parametrize(
    ("error", "read", "add"),
    [
        (TransportError("refused", may_have_reached_server=False), True, True),
        (TransportError("reset", may_have_reached_server=True), True, False),
        (ResponseError("bad gateway", status=502), True, False),
        (ResponseError("html", status=200), True, False),
        (ResponseError("slow down", status=429), True, True),
        (ResponseError("not found", status=404), False, False),
        # Too slow: it may have run, like any timeout once sent. Too large: the same again.
        (errors.AnswerTimeoutError(2.0), True, False),
        (errors.AnswerTooLargeError(2**20, status=200), False, False),
        (ActionBlockedError("ACTION_BLOCKED", "blocked"), True, True),
        (ApiError.create("ENTRY_ID_NOT_FOUND", "m"), False, False),
        (ApiError.create("INTERNAL_SERVERL_ERROR", "m"), False, False),
        (ValueError("a bug"), False, False),
    ],
)
def test_retry_rule(error: BaseException, read: bool, add: bool) -> None:
    assert is_retryable(error, READ) is read
    assert is_retryable(error, ADD) is add


def test_a_call_may_declare_codes_it_retries() -> None:
    call: Call[None] = Call(service="s", action="a", retry_codes=frozenset({"BUSY"}))
    assert is_retryable(ApiError.create("BUSY", "m"), call)
    assert not is_retryable(ApiError.create("OTHER", "m"), call)


def test_redact_hides_secrets_and_ks_shaped_text() -> None:
    ks = "djJ8MTIzfCOOiMiAM89sYsQ5fT2OXWccJKCiQwzvbXBVNpvYIb6GL1fJkmAIFvx9gSx2DsKSzV4sA=="
    assert redact(f'Invalid KS "{ks}"') == 'Invalid KS "<redacted>"'
    assert redact("my admin secret is abc123", ("abc123",)) == "my admin secret is <redacted>"
    assert redact('Entry id "0_abc" not found') == 'Entry id "0_abc" not found'


# ---- the tree ----------------------------------------------------------------------------------


def _drawn_tree() -> list[tuple[int, str]]:
    """Return (depth, class name) for each line of the tree drawn in errors.py's docstring."""
    drawing = errors.__doc__.split("```")[1]  # type: ignore[union-attr]
    found = []
    for line in drawing.splitlines():
        match = re.match(r"^((?:[│ ]   )*[├└]── |)([A-Z]\w+)", line)
        if match:
            found.append((len(match.group(1)) // 4, match.group(2)))
    return found


def test_the_drawn_tree_is_the_code() -> None:
    drawn = _drawn_tree()
    parents: dict[int, str] = {}
    for depth, name in drawn:
        cls = getattr(errors, name)
        if depth:
            assert issubclass(cls, getattr(errors, parents[depth - 1])), f"{name} is drawn wrong"
        parents[depth] = name
    defined = {
        name
        for name, value in vars(errors).items()
        if isinstance(value, type) and issubclass(value, Exception) and value.__name__ == name
    }
    assert defined == {name for _, name in drawn}


def test_every_error_a_user_can_meet_is_exported() -> None:
    for name in {name for _, name in _drawn_tree()}:
        assert name in kaltura_mm.__all__, name
        assert getattr(kaltura_mm, name) is getattr(errors, name)
    assert "UnknownObjectTypeWarning" in kaltura_mm.__all__


def test_one_category_not_found_error_for_the_server_and_for_lookups() -> None:
    from_server = ApiError.create("CATEGORY_NOT_FOUND", 'Category id "5" not found')
    looked_up = CategoryNotFoundError.lookup("no category has the path 'A>B'", "A>B")
    for error in (from_server, looked_up):
        assert isinstance(error, CategoryNotFoundError)
        assert isinstance(error, ApiError) and isinstance(error, CategoryLookupError)
        assert isinstance(error, LookupError) and error.code == "CATEGORY_NOT_FOUND"
    assert str(looked_up) == "no category has the path 'A>B'" and looked_up.wanted == "A>B"
    assert kaltura_mm.CategoryNotFound is CategoryNotFoundError  # the name it had before
    assert kaltura_mm.AmbiguousCategory is AmbiguousCategoryError
    assert kaltura_mm.ActionNotAllowed is errors.ActionNotAllowedError

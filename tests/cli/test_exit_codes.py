"""Exit codes of batches, and errors turned into one line with a fix."""

from __future__ import annotations

from kaltura_mm.commands.exit_codes import ExitCode, for_items
from kaltura_mm.commands.failures import CliError, describe
from kaltura_mm.errors import ApiError, ConfigError, TransportError


def test_batch_codes() -> None:
    assert for_items(3, []) is ExitCode.OK
    assert for_items(2, [ExitCode.NOT_FOUND]) is ExitCode.PARTIAL
    assert for_items(0, [ExitCode.NOT_FOUND, ExitCode.NOT_FOUND]) is ExitCode.NOT_FOUND
    assert for_items(0, [ExitCode.NOT_FOUND, ExitCode.AUTH]) is ExitCode.FAILED


def test_every_code_is_distinct() -> None:
    values = [code.value for code in ExitCode]
    assert len(values) == len(set(values))
    assert ExitCode.INTERRUPTED == 130


def test_api_errors_map_to_kinds_with_a_fix() -> None:
    expired = ApiError.create(
        "INVALID_KS", "Invalid KS", {"KSID": "EXPIRED", "ERR_CODE": "-1"}, "baseEntry.list"
    )
    failure = describe(expired)
    assert failure.code is ExitCode.AUTH
    assert failure.problem == "the KS was refused: it has expired"
    assert "ks generate" in failure.fix
    # An unreadable KS comes back as its own KSID: the message explains, never echoes it.
    garbage = ApiError.create(
        "INVALID_KS", "Invalid KS", {"KSID": "not-a-ks", "ERR_CODE": "-1"}, "baseEntry.list"
    )
    assert describe(garbage).problem == (
        "the KS was refused: it is not a KS this server can read or verify"
    )
    assert describe(ApiError.create("START_SESSION_ERROR", "x", {"PID": "7"})).code is ExitCode.AUTH
    forbidden = ApiError.create("SERVICE_FORBIDDEN", "no", {"SERVICE": "category->add"})
    assert describe(forbidden).code is ExitCode.AUTH
    assert "category->add" in describe(forbidden).problem
    missing = ApiError.create("ENTRY_ID_NOT_FOUND", 'Entry id "0_x" not found', {})
    assert describe(missing).code is ExitCode.NOT_FOUND
    other = ApiError.create("INTERNAL_SERVERL_ERROR", "boom", {}, "baseEntry.add")
    assert describe(other).code is ExitCode.FAILED
    assert "baseEntry.add" in describe(other).problem


def test_local_failures() -> None:
    assert describe(ConfigError("bad")).code is ExitCode.BAD_INPUT
    assert describe(KeyboardInterrupt()).code is ExitCode.INTERRUPTED
    offline = TransportError("refused", may_have_reached_server=False)
    assert describe(offline).code is ExitCode.UNAVAILABLE
    assert describe(FileNotFoundError(2, "No such file", "x.mp4")).code is ExitCode.BAD_INPUT
    mine = CliError("problem", "fix it", ExitCode.NOT_FOUND)
    assert describe(mine).line() == "problem; fix it"
    assert describe(ValueError("oops")).kind == "internal"


def test_secrets_are_redacted_from_messages() -> None:
    failure = describe(CliError("secret s3cr3t-value leaked", "x"), secrets=("s3cr3t-value",))
    assert "s3cr3t-value" not in failure.line()

"""``--accounts``: runs under a drawn account (privacy contexts, the category-limit feature, USER
sessions, other users' entries), off by default so that CI's seeds stay what they were."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import simulation.drivers
from simulation.__main__ import main
from simulation.accounts import USER, Accounts
from simulation.invariants import Checker
from simulation.known_bugs import KnownBug, _seeds, judge
from simulation.model import uploads
from simulation.model.actions import Ctx
from simulation.model.ks import VerifiedKs
from simulation.model.records import Token
from simulation.reference.upload import SourceFile
from simulation.runner import run_one
from simulation.world import build, stream
from tests.simulation.careless import BlindDetachDriver

# Each a USER session (own entries only or list:*, referenceId dropped or kept) or the admin one,
# under privacy-context categories and the category-limit feature (see the test below).
SEEDS = {
    "upload_one": 7,  # USER, list:*, referenceId dropped
    "upload_many": 2,  # USER, own entries only, referenceId dropped, privacy context
    "resume_after_kill": 11,  # USER, own only, referenceId dropped, privacy context: 3 kills
    "list_all": 2,  # USER, own entries only: the other user's share is not listed
    "batches": 2,  # USER, privacy context, FEATURE_DISABLE_CATEGORY_LIMIT, refused deletes
}


def _accounts(scenario: str, seed: int) -> Accounts:
    return Accounts.draw(stream(scenario, seed, "accounts"))


def test_the_seeds_cover_user_sessions_privacy_contexts_and_the_feature() -> None:
    drawn = [_accounts(s, n) for s, n in SEEDS.items()]
    assert all(a.on and a.is_user for a in drawn)
    assert any(a.privacy_context for a in drawn) and any(a.disable_category_limit for a in drawn)
    assert any(not a.reference_modify for a in drawn) and any(a.list_all for a in drawn)
    assert _accounts("list_all", 2).sees_only == USER


def test_without_the_option_a_run_is_the_plain_admin_account_with_the_same_draws() -> None:
    plain, drawn = build("batches", 2), build("batches", 2, accounts=True)
    assert plain.schedule.accounts == Accounts() and not plain.accounts.on
    assert dataclasses.replace(drawn.schedule, accounts=Accounts()) == plain.schedule
    assert drawn.accounts == _accounts("batches", 2)


@pytest.mark.parametrize(("scenario", "seed"), sorted(SEEDS.items()))
def test_the_clients_flows_meet_every_invariant_under_the_drawn_account(
    scenario: str, seed: int
) -> None:
    result = run_one(scenario, seed, accounts=True)
    assert result.accounts and result.model_gap is None
    assert result.passed, [str(v) for v in result.violations]
    assert result.replay().endswith(f"--scenario {scenario} --accounts")


def test_a_user_session_really_meets_the_harsher_rules() -> None:
    batches = run_one("batches", 2, accounts=True)
    assert batches.events["category_entry.privacy_context_unlinked"] > 0
    walk = run_one("list_all", 2, accounts=True)
    assert walk.events["list.own_entries_only"] > 0
    assert batches.events["entry.not_owner_refused"] > 0  # another user's, asked deleted
    upload = run_one("upload_many", 2, accounts=True)
    assert upload.events["entry.reference_id_dropped"] > 0


def test_a_detach_that_trusts_categories_ids_is_caught_on_a_privacy_context_category(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(simulation.drivers.DRIVERS, "blind", BlindDetachDriver)
    caught = run_one("batches", 2, driver="blind", accounts=True)  # a privacy-context source
    assert {v.invariant for v in caught.violations} == {"reported_truth"}
    assert all("not in the state asked for" in v.detail for v in caught.violations)
    plain = _accounts("batches", 4)  # plain categories: categoriesIds tells the truth there
    assert not plain.privacy_context and not plain.disable_category_limit
    assert run_one("batches", 4, driver="blind", accounts=True).passed


def test_the_command_line_replays_with_the_account(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--seed", "2", "--scenario", "batches", "--accounts"]) == 0
    out = capsys.readouterr().out
    assert f"account: USER session of {USER}" in out and "privacy context 'kms-sim'" in out
    assert main(["--seeds", "1", "--first", "2", "--scenario", "batches", "--accounts"]) == 0


def test_a_bug_listed_for_runs_with_accounts_does_not_excuse_a_plain_run() -> None:
    bug = KnownBug(
        name="b",
        issue="16",
        at_fault="kaltura_mm/flows/entries.py",
        evidence=(r"^reported_truth: \d+ entries not in the state asked for",),
        seeds=_seeds(batches="2"),
        accounts=True,
    )
    found = ["reported_truth: 3 entries not in the state asked for"]
    assert judge("batches", 2, found, {}, (bug,), accounts=True).status == "known"
    assert judge("batches", 2, found, {}, (bug,)).status == "failed"


def test_another_users_same_upload_would_be_taken_if_the_server_showed_its_tokens(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Under a USER session the other user's earlier upload of the same file carries the same
    # referenceId and receipt name (the names hash no session user): only the server's rule
    # that a USER session lists its own tokens keeps it out of the lookup.
    assert run_one("upload_one", 7, accounts=True).passed
    matches = uploads._token_matches

    def as_admin(ctx: Ctx, token: Token, values: dict[str, Any]) -> bool:
        session = ctx.session
        assert session is not None
        admin = VerifiedKs(session.partner_id, session.valid_until, 2, session.user_id)
        return matches(dataclasses.replace(ctx, session=admin), token, values)

    monkeypatch.setattr(uploads, "_token_matches", as_admin)
    taken = run_one("upload_one", 7, accounts=True)
    assert {v.invariant for v in taken.violations} == {"ready_identical", "reported_truth"}
    assert any("reported as an entry that does not hold it" in v.detail for v in taken.violations)


def test_the_json_lines_name_the_account(tmp_path: Path) -> None:
    out = tmp_path / "runs.jsonl"
    argv = ["--seeds", "1", "--first", "2", "--scenario", "batches", "--json", str(out)]
    assert main([*argv, "--accounts"]) == 0
    (row,) = [json.loads(line) for line in out.read_text().splitlines()]
    assert row["accounts"].startswith(f"USER session of {USER}")
    assert row["replay"] == "python -m simulation --seed 2 --scenario batches --accounts"
    assert main(argv) == 0
    assert json.loads(out.read_text())["accounts"] is None


def test_an_upload_refused_for_a_dropped_reference_id_passes_only_if_it_left_nothing() -> None:
    world = build("upload_one", 7, accounts=True)
    source = SourceFile("a.mp4", b"lecture", 100_000, 1)
    checker = Checker("upload_one", 7)
    checker.uploads(world.model.truth(), [source], {}, 0.0, USER, {"a.mp4"})
    assert checker.violations == []  # refused, and nothing was made
    made = world.model.seed_entry(4242, "a.mp4", b"lecture", None, 1, USER)
    checker.uploads(world.model.truth(), [source], {}, 0.0, USER, {"a.mp4"})
    assert [(v.invariant, v.ids) for v in checker.violations] == [("reported_truth", (made,))]


def test_a_replay_with_the_account_sends_the_same_bytes_in_a_new_interpreter() -> None:
    # seed 11: a USER session, three kills, the other user's same-named upload planted
    def replay(hash_seed: str) -> list[str]:
        command = [sys.executable, "-m", "simulation", "--seed", "11", "--accounts", "--trace"]
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run(
            [*command, "--scenario", "resume_after_kill"],
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parents[2],
            env=env,
            check=False,
        ).stdout
        return [line for line in out.splitlines() if " ms, " not in line]  # wall time varies

    first = replay("1")
    assert any("-> multirequest" in line for line in first) and "passed" in first[0]
    assert replay("2") == first

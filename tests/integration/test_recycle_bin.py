"""``recycle_entries`` / ``restore_entries`` (``client.recycle`` / ``client.restore``) against the
sandbox's recycle bin, under both clients."""

from __future__ import annotations

from kaltura_mm.errors import RecycleBinDisabledError
from kaltura_mm.flows.recycle_bin import recycle_entries, restore_entries
from kaltura_mm.sandbox import Sandbox
from tests.integration.upload_support import Run


def _shown(sb: Sandbox, entry_id: str) -> int:
    row = sb.core.store.one("SELECT display_in_search FROM entries WHERE id = ?", (entry_id,))
    assert row is not None
    return int(row[0])


def test_recycle_twice_is_done_then_already_done_and_restore_brings_back(
    run: Run, kaltura_sandbox: Sandbox
) -> None:
    kaltura_sandbox.set_partner_feature("FEATURE_RECYCLE_BIN")
    category = kaltura_sandbox.create_category("Bin")
    ids = kaltura_sandbox.seed_entries(category, 2)
    first = run(recycle_entries(ids))
    assert [(o.entry_id, o.status) for o in first] == [(i, "done") for i in ids]
    assert [_shown(kaltura_sandbox, i) for i in ids] == [-2, -2]
    again = run(recycle_entries([ids[0], "0_nothere"]))
    assert [o.status for o in again] == ["already_done", "failed"]
    back = run(restore_entries([ids[0]]))
    assert back[0].status == "done" and _shown(kaltura_sandbox, ids[0]) == 1
    assert run(restore_entries([ids[0]]))[0].status == "already_done"


def test_an_account_without_a_bin_fails_each_entry_and_deletes_nothing(
    run: Run, kaltura_sandbox: Sandbox
) -> None:
    category = kaltura_sandbox.create_category("Bin")
    ids = kaltura_sandbox.seed_entries(category, 2)
    outcomes = run(recycle_entries(ids))
    assert all(isinstance(o.error, RecycleBinDisabledError) for o in outcomes)
    assert [_shown(kaltura_sandbox, i) for i in ids] == [1, 1]

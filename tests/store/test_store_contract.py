"""The store's tables behave the same on SQLite and PostgreSQL (each test runs on both)."""

from __future__ import annotations

import pytest

from kaltura_mm.store import (
    DeletionLog,
    FileJournal,
    FileRecord,
    KnownCategories,
    Replacements,
    SchemaMismatchError,
    Store,
    StoreError,
    SyncRecords,
    Target,
    UploadStore,
    open_store,
    pending_uploads,
)
from kaltura_mm.store.schema import MIGRATIONS, applied_migrations, applied_versions
from kaltura_mm.sync.records import SyncRecord
from kaltura_mm.upload.request import UploadState
from tests.unit.test_upload_state import _state as upload_state

SERVER = Target("https://kaltura.example.org", 100)
OTHER = Target("https://kaltura.example.org", 200)


def _state(name: str = "lecture.mp4", **changes: object) -> UploadState:
    return upload_state(**{"reference_id": f"kmm-{name}", **changes})


def test_a_new_store_has_every_migration_applied_once(location: str) -> None:
    first = open_store(location)
    assert applied_versions(first.engine) == list(range(1, len(MIGRATIONS) + 1))
    first.close()
    again = open_store(location)  # opening again applies nothing
    rows = again.read("SELECT version, applied_at FROM schema_version ORDER BY version")
    assert [r["version"] for r in rows] == list(range(1, len(MIGRATIONS) + 1))
    again.close()


def test_a_failing_migration_is_rolled_back_whole(store: Store) -> None:
    from kaltura_mm.store.schema import Migration, migrate

    half = ("CREATE TABLE half_made (id BIGINT PRIMARY KEY)", "NOT SQL AT ALL")
    with pytest.raises(SchemaMismatchError, match="'half-made'"):
        migrate(store.engine, 1, (*MIGRATIONS, Migration("half-made", half)))
    assert applied_versions(store.engine) == list(range(1, len(MIGRATIONS) + 1))
    assert applied_migrations(store.engine) == sorted(m.name for m in MIGRATIONS)
    with pytest.raises(StoreError):
        store.read("SELECT id FROM half_made")


def test_a_store_from_a_newer_kaltura_mm_is_refused(location: str) -> None:
    store = open_store(location)
    store.write("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)", (99, 0))
    store.close()
    with pytest.raises(SchemaMismatchError, match="another kaltura-mm build") as caught:
        open_store(location)
    assert "schema version 99" in caught.value.problem
    assert "kaltura-mm build that wrote it" in caught.value.fix and caught.value.refused


def test_upload_states_are_saved_replaced_listed_and_discarded(store: Store) -> None:
    uploads = UploadStore(store, SERVER)
    state, done = _state(), _state("done.mp4", complete=True)
    assert uploads.load(state.reference_id) is None
    uploads.save(state)
    uploads.save(state)  # replaces, never appends
    uploads.save(done)
    assert uploads.load(state.reference_id) == state
    assert uploads.pending() == [state]
    assert UploadStore(store, OTHER).pending() == []  # another partner's uploads are its own
    (listed,) = pending_uploads(store)
    assert (listed.state, listed.service, listed.partner_id) == (state, SERVER.service, 100)
    uploads.discard(state.reference_id)
    assert uploads.load(state.reference_id) is None


def test_the_file_journal_keeps_one_row_per_file_and_categories(store: Store) -> None:
    journal = FileJournal(store, SERVER)
    record = FileRecord(path="/data/a.mp4", categories="7,9", size=5, mtime_ns=1)
    journal.update(record)
    journal.update(FileRecord(path="/data/a.mp4", categories="7,9", size=5, mtime_ns=1,
                              entry_id="0_abc", status="done"))  # fmt: skip
    found = journal.get("/data/a.mp4", "7,9")
    assert found is not None and (found.entry_id, found.status) == ("0_abc", "done")
    assert found.unchanged_since(5, 1)
    assert journal.get("/data/a.mp4", "7") is None
    assert FileJournal(store, OTHER).get("/data/a.mp4", "7,9") is None


def test_deleted_is_final_and_an_answered_sent_mark_is_forgotten(store: Store) -> None:
    log = DeletionLog(store, SERVER)
    log.sent(["0_a", "0_b", "0_c"])
    log.deleted(["0_a"])
    log.sent(["0_a"])  # a re-run's batch never downgrades "deleted"
    log.answered(["0_a", "0_b"])
    assert log.known(["0_a", "0_b", "0_c", "0_x"]) == {"0_a", "0_c"}
    assert DeletionLog(store, OTHER).known(["0_a"]) == set()


def test_sync_records_replacements_and_known_categories(store: Store) -> None:
    records = SyncRecords(store, SERVER, scope=42)
    record = SyncRecord(
        reference_id="ref1", entry_id="0_e", size=5, mtime_ns=1, sample_sha256="cd" * 32
    )
    records.save(record)
    records.save(record)
    assert records.all() == {"ref1": record}
    assert SyncRecords(store, SERVER, scope=43).all() == {}
    replacements = Replacements(store, SERVER)
    replacing = _state(entry_id="0_e")
    replacements.save(replacing)
    assert replacements.load("0_e") == replacing
    assert replacements.all() == {"0_e": replacing}
    replacements.save(_state(entry_id="0_e", complete=True))  # a finished one is forgotten
    assert replacements.load("0_e") is None
    categories = KnownCategories(store, SERVER)
    categories.save("Root>A", 5)
    categories.save("Root>A", 6)
    assert categories.all() == {"Root>A": 6}


def test_a_transaction_commits_together_or_not_at_all(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.execute("INSERT INTO meta (name, value) VALUES (?, ?)", ("first", "1"))
        raise RuntimeError("stop half-way")
    assert store.meta("first") is None
    with store.transaction() as tx:
        tx.execute("INSERT INTO meta (name, value) VALUES (?, ?)", ("first", "1"))
        tx.execute_many("INSERT INTO meta (name, value) VALUES (?, ?)", [("b", "2"), ("c", "3")])
    assert [store.meta(n) for n in ("first", "b", "c")] == ["1", "2", "3"]
    with store.transaction(exclusive=True) as tx:
        returned = tx.execute(
            "UPDATE meta SET value = ? WHERE name IN (?, ?) RETURNING name", ("9", "b", "c")
        )
    assert sorted(r["name"] for r in returned) == ["b", "c"]


def test_the_library_opens_an_upload_store_by_location(location: str) -> None:
    uploads = UploadStore(location)  # no target: the uploads of any server
    state = _state()
    uploads.save(state)
    assert UploadStore(location).pending() == [state]

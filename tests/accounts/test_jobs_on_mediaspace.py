"""One job, many workers on the MediaSpace-shaped account (issue 18 D): ``upload --workers 2``,
``delete --from-file --workers 2`` and ``jobs`` under an app token of the least-privilege role
docs/least-privilege.md gives each command, on galleries of the MediaSpace privacy context.

The workers are real processes: they start their own sessions from the token (in their
environment), on an entitled partner whose admin secret's own KS does not see these galleries.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from kaltura_mm.sandbox import Sandbox, seeding
from tests.accounts.cases import BASE, DELETE, UPLOADER, files
from tests.accounts.conftest import Sessions, category, unique
from tests.cli.ground import in_category, job_id, live_entries


def test_upload_with_two_workers_and_an_app_token_into_a_gallery(
    mediaspace: Sandbox, sessions: Sessions, tmp_path: Path
) -> None:
    cid, full = category(mediaspace)
    folder = files(tmp_path / unique("up"), count=5)
    token = sessions.app_token(UPLOADER)
    run = sessions.cli("--json", "upload", str(folder), "-c", full, "--workers", "2")
    assert run.code == 0, run.err
    rows = run.json_lines()
    assert {r["status"] for r in rows} == {"uploaded"}
    made = sorted(str(r["entry_id"]) for r in rows)
    assert len(made) == 5 and made == in_category(mediaspace, cid)  # once each, in the gallery
    said = [json.loads(line) for line in run.err.splitlines()]
    assert not [r for r in said if "error" in r]  # no worker was refused
    assert token["token"] not in run.out + run.err
    listed = sessions.cli("--json", "jobs")
    assert listed.code == 0, listed.err
    (line,) = [j for j in listed.json_lines() if j["job"] == job_id(run.err)]
    assert (line["kind"], line["items"], line["done"]) == ("upload", 5, 5)
    assert sum(w["done"] for w in line["worker_list"]) == 5
    assert all(w["pid"] != os.getpid() for w in line["worker_list"] if w["done"])  # the workers
    again = sessions.cli("--json", "upload", "--job", line["job"])  # its report, re-read
    assert again.code == 0, again.err
    assert sorted(str(r["entry_id"]) for r in again.json_lines()) == made


def test_delete_from_a_file_with_two_workers_and_an_app_token(
    mediaspace: Sandbox, sessions: Sessions, tmp_path: Path
) -> None:
    cid, _ = category(mediaspace)
    ids = seeding.seed_entries(mediaspace.core, mediaspace.partner_id, cid, 30,
                               name_prefix=unique("doomed"))  # fmt: skip
    keep = seeding.seed_entries(mediaspace.core, mediaspace.partner_id, cid, 2,
                                name_prefix=unique("kept"))  # fmt: skip
    listing = tmp_path / "ids.txt"
    listing.write_text("\n".join(ids) + "\n")
    sessions.app_token((DELETE, BASE))
    run = sessions.cli("--json", "delete", "--from-file", str(listing), "--workers", "2", "--yes")
    assert run.code == 0, run.err
    rows = run.json_lines()
    assert [r["entry_id"] for r in rows] == ids and {r["status"] for r in rows} == {"done"}
    live = {str(e["id"]) for e in live_entries(mediaspace)}
    assert not live & set(ids) and set(keep) <= live
    listed = sessions.cli("--json", "jobs")
    (line,) = [j for j in listed.json_lines() if j["job"] == job_id(run.err)]
    assert (line["kind"], line["done"], line["free"]) == ("delete", 30, 0)
    assert all(w["pid"] != os.getpid() for w in line["worker_list"] if w["done"])  # the workers

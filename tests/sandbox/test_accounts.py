"""Account presets: ``Sandbox(account="mediaspace")``, the pytest marker option, the CLI flag,
and the preset's ids surviving a restart."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from kaltura_mm.sandbox import Sandbox
from kaltura_mm.sandbox.cli import sandbox
from tests.sandbox.helpers import Api

CHANNELS = "MediaSpace>site>channels"


@pytest.mark.kaltura_sandbox(account="mediaspace", kind=True)
def test_mediaspace_preset_has_a_kms_tree_with_a_privacy_context(
    kaltura_sandbox: Sandbox,
) -> None:
    account = kaltura_sandbox.account
    assert account.name == "mediaspace" and account.privacy_context == "MediaSpace"
    api = Api(kaltura_sandbox, kaltura_sandbox.ks(privileges="disableentitlement"))
    try:
        channel = api.call("category", "get", id=account.channel_id("Open channel"))
        assert channel["fullName"] == f"{CHANNELS}>Open channel"
        assert (channel["privacyContext"], channel["privacyContexts"]) == ("", "MediaSpace")
        assert channel["membersCount"] == 2  # alice and bob
        by_members = api.call(
            "category", "list", filter={"orderBy": "-membersCount"}, pager={"pageSize": 1}
        )
        assert by_members["objects"][0]["membersCount"] == 2
        root = api.call("category", "get", id=account.category_id("MediaSpace"))
        assert root["privacyContext"] == "MediaSpace"
        gallery = api.call("category", "get", id=account.gallery_id("Lectures"))
        assert gallery["fullName"] == "MediaSpace>site>galleries>Lectures"
        archive = api.call("category", "get", id=account.category_id("Archive"))
        assert archive["privacyContexts"] == ""
        lecture = api.call("baseEntry", "get", entryId=account.entry_id("Private lecture"))
        assert lecture["userId"] == "alice@example.com" and lecture["categoriesIds"] == ""
        archived = api.call("baseEntry", "get", entryId=account.entry_id("Archived clip"))
        assert archived["categoriesIds"] == str(account.category_id("Archive"))
        in_channel = api.call(
            "baseEntry",
            "list",
            filter={"categoriesIdsMatchOr": str(account.channel_id("Private channel"))},
        )
        assert [e["id"] for e in in_channel["objects"]] == [account.entry_id("Private lecture")]
        # the set-up shortcut builds contexts as the server does
        added = kaltura_sandbox.create_category(f"{CHANNELS}>Added later")
        assert api.call("category", "get", id=added)["privacyContexts"] == "MediaSpace"
    finally:
        api.close()
    assert kaltura_sandbox.partner_feature("FEATURE_ENTITLEMENT")
    assert "alice@example.com" in account.users


def test_default_account_has_no_entitlement_and_names_errors(sb: Sandbox) -> None:
    assert sb.account.name == "default"
    # part of a KMS tree, with its privacy context, so ordinary tests meet one
    channels = sb.account.category_id(CHANNELS)
    api = Api(sb, sb.ks())
    try:
        assert api.call("category", "get", id=channels)["privacyContexts"] == "MediaSpace"
        entry = api.new_entry()["id"]
        link = {"objectType": "KalturaCategoryEntry", "entryId": entry, "categoryId": channels}
        api.call("categoryEntry", "add", categoryEntry=link)
        assert api.call("baseEntry", "get", entryId=entry)["categoriesIds"] == ""
    finally:
        api.close()
    with Sandbox(account="empty") as empty:
        assert dict(empty.account.categories) == {}
    assert not sb.partner_feature("FEATURE_ENTITLEMENT")
    assert not sb.partner_feature("FEATURE_DISABLE_CATEGORY_LIMIT")
    assert sb.partner_feature("FEATURE_ENTRY_REPLACEMENT")  # on until switched off
    with pytest.raises(KeyError, match="has no category"):
        sb.account.channel_id("Open channel")
    with pytest.raises(ValueError, match="choose one of default, empty, mediaspace"):
        Sandbox(account="kmc")


def test_preset_ids_survive_a_restart(tmp_path: Path) -> None:
    with Sandbox(data_dir=tmp_path, account="mediaspace") as first:
        made = (dict(first.account.categories), dict(first.account.entries))
    with Sandbox(data_dir=tmp_path, account="mediaspace") as second:
        assert (dict(second.account.categories), dict(second.account.entries)) == made


def test_serve_account_flag_prints_the_account() -> None:
    command = [sys.executable, "-c", "from kaltura_mm.sandbox.cli import sandbox; sandbox()"]
    process = subprocess.Popen(
        [*command, "serve", "--json", "--account", "mediaspace"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        info = json.loads(process.stdout.readline())
        account = info["account"]
        assert account["account"] == "mediaspace"
        channel_id = account["categories"][f"{CHANNELS}>Private channel"]
        url = f"{info['service_url']}/api_v3/service"
        ks = httpx.post(
            f"{url}/session/action/start",
            json={
                "format": 1,
                "secret": info["admin_secret"],
                "partnerId": info["partner_id"],
                "privileges": "disableentitlement",
            },
        ).json()
        got = httpx.post(
            f"{url}/category/action/get", json={"format": 1, "ks": ks, "id": channel_id}
        ).json()
        assert got["privacyContexts"] == "MediaSpace" and got["privacy"] == 3
    finally:
        process.terminate()
        assert process.wait(timeout=15) == 0


def test_serve_refuses_an_unknown_account() -> None:
    result = CliRunner().invoke(sandbox, ["serve", "--account", "kmc"])
    assert result.exit_code == 2
    assert "'kmc' is not one of 'default', 'empty', 'mediaspace'" in result.output

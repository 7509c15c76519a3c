"""MediaManager's pure parts: widget settings, the fields a selection hands over, the guards."""

from __future__ import annotations

import pytest

from kaltura_mm.client import Client
from kaltura_mm.errors import ActionNotAllowedError, ConfigError
from kaltura_mm.manager import ManagerSettings, MediaManager, SelectedEntry
from kaltura_mm.models import DocumentEntry, DocumentType, EntryStatus, MediaEntry, MediaType


def test_settings_read_the_widget_objects() -> None:
    settings = ManagerSettings.from_widget(
        {"contextType": "category", "contextId": 42, "ks": "secret-ks", "partnerId": 100,
         "supportDocuments": True},
        {"mode": "manage", "customizations": {"manage": {"itemActions": ["detach"]}}},
    )  # fmt: skip
    assert (settings.context_id, settings.partner_id, settings.mode) == (42, 100, "manage")
    assert settings.item_actions == ("detach",) and settings.support_documents
    assert "secret-ks" not in repr(settings)
    defaults = ManagerSettings.from_widget({"contextType": "category"})
    assert (defaults.mode, defaults.item_actions) == ("select", ("delete", "detach"))


def test_bad_settings_name_the_fix() -> None:
    with pytest.raises(ConfigError, match="'select' or 'manage'"):
        ManagerSettings(mode="edit")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="'delete', 'detach'"):
        ManagerSettings(item_actions=("rename",))  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="contextType"):
        ManagerSettings(context_type="playlist")


def test_selection_has_the_widget_fields() -> None:
    video = MediaEntry(
        id="0_abcdefgh", name="Lecture", description="d", media_type=MediaType.VIDEO,
        created_at=1, updated_at=2, thumbnail_url="http://t", duration=60, plays=3, views=4,
        status=EntryStatus.READY,
    )  # fmt: skip
    assert SelectedEntry.of(video).as_widget() == {
        "id": "0_abcdefgh", "name": "Lecture", "description": "d", "mediaType": 1,
        "createdAt": 1, "updatedAt": 2, "thumbnailUrl": "http://t", "duration": 60, "plays": 3,
        "views": 4, "status": 2,
    }  # fmt: skip
    pdf = SelectedEntry.of(DocumentEntry(id="0_docdocdo", document_type=DocumentType.PDF))
    assert (pdf.media_type, pdf.duration, pdf.plays) == (13, None, None)


@pytest.mark.parametrize(
    ("settings", "action", "message"),
    [
        (ManagerSettings(context_id=5), "delete", "'select' mode"),
        (ManagerSettings(context_id=5, mode="manage", item_actions=["detach"]), "delete", "item"),
        (ManagerSettings(context_id=5, mode="manage", item_actions=["delete"]), "detach", "item"),
        (ManagerSettings(mode="manage"), "detach", "contextId"),
    ],
)  # fmt: skip
def test_guards_refuse_before_sending(settings: ManagerSettings, action: str, message: str) -> None:
    # Port 9 on loopback answers nothing: any request would fail with a TransportError instead.
    with Client(service_url="http://127.0.0.1:9", ks="x") as client:
        manager = MediaManager(client, settings)
        with pytest.raises(ActionNotAllowedError, match=message):
            getattr(manager, action)(["0_abcdefgh"])


def test_update_settings_refuses_unknown_names() -> None:
    with Client(service_url="http://127.0.0.1:9", ks="x") as client:
        manager = MediaManager(client)
        assert manager.update_settings(context_id=9, mode="manage").context_id == 9
        with pytest.raises(ConfigError, match="contextid"):
            manager.update_settings(contextid=9)


class _VerbsOnly(Client):
    """A client whose engine is off limits: the manager must go through the verbs."""

    def __init__(self) -> None:
        super().__init__(service_url="http://127.0.0.1:9", ks="djJ8fixed")
        self.asked: list[tuple[str, object]] = []

    def entry(self, entry_id: object) -> MediaEntry:  # type: ignore[override]
        self.asked.append(("entry", entry_id))
        return MediaEntry(id="0_abcdefgh", name="Lecture")

    def detach(self, entry_ids: object, category_id: object, **kw: object) -> list[object]:  # type: ignore[override]
        self.asked.append(("detach", (entry_ids, category_id)))
        return []

    def delete(self, entry_ids: object, **kw: object) -> list[object]:  # type: ignore[override]
        self.asked.append(("delete", entry_ids))
        return []

    def run(self, *args: object, **kwargs: object) -> object:  # type: ignore[override]
        raise AssertionError("the manager ran a flow itself instead of a verb")


def test_the_manager_runs_on_the_client_s_verbs() -> None:
    client = _VerbsOnly()
    settings = ManagerSettings(context_id=42, mode="manage")
    manager = MediaManager(client, settings)
    assert manager.select("0_abcdefgh").name == "Lecture"
    entry = MediaEntry(id="0_abcdefgh", name="Lecture")
    manager.detach([entry])
    manager.delete(entry)
    assert client.asked == [
        ("entry", "0_abcdefgh"),
        ("detach", ([entry], 42)),
        ("delete", entry),
    ]

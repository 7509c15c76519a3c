"""The codec: every real payload decodes; lenient types; what the encoder writes."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

from kaltura_mm.models import (
    ApiObject,
    BaseEntry,
    BaseEntryFilter,
    BaseEntryParams,
    Category,
    DataEntry,
    DocumentEntry,
    EntryStatus,
    EntryType,
    ListPage,
    LiveStreamEntry,
    MediaEntry,
    MediaEntryFilter,
    MediaType,
    Pager,
    PlaylistEntry,
    UploadToken,
    UploadTokenStatus,
    WidgetSession,
)
from kaltura_mm.protocol import codec
from tests.conftest import PAYLOADS, load_payload

PAYLOAD_FILES = sorted(p.name for p in PAYLOADS.glob("*.json") if p.name != "ks-samples.json")


@pytest.mark.parametrize("name", PAYLOAD_FILES)
def test_every_shared_payload_decodes_without_warning(name: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = codec.decode(load_payload(name))
    assert value is not None


def test_the_payload_directory_is_not_empty(payloads: Path) -> None:
    assert len(PAYLOAD_FILES) >= 9


def test_upload_token_numbers_as_strings_and_json_booleans() -> None:
    token = codec.decoder_for(UploadToken)(load_payload("upload-token-upload.json"))
    assert token.uploaded_file_size == 76786195
    assert token.status is UploadTokenStatus.FULL_UPLOAD
    assert token.auto_finalize is False
    assert token.upload_url == "https://ny-upload.kaltura.com"


def test_list_items_are_typed_per_object_type() -> None:
    page = codec.decode(load_payload("list-media-entry-trimmed.json"))
    assert isinstance(page, ListPage) and page.total_count == 1
    (entry,) = page.objects
    assert isinstance(entry, MediaEntry)
    assert (entry.id, entry.duration, entry.ms_duration) == ("1_1h1vsv3z", 102, 102000)


def test_real_live_stream_entry_decodes_typed_with_its_secrets_out_of_repr() -> None:
    entry = codec.decode(load_payload("real-nock-livestream-get.json"))
    assert isinstance(entry, LiveStreamEntry)
    assert entry.type is EntryType.LIVE_STREAM
    assert entry.stream_name and entry.id
    assert "streamPassword" in entry.extra  # kept, as every field, but never shown
    assert "REDACTED" not in repr(entry) and "rtmp" not in repr(entry)


@pytest.mark.parametrize(
    ("object_type", "expected"),
    [
        ("KalturaBaseEntry", BaseEntry),
        ("KalturaMediaEntry", MediaEntry),
        ("KalturaDocumentEntry", DocumentEntry),
        ("KalturaLiveStreamEntry", LiveStreamEntry),
        ("KalturaPlaylist", PlaylistEntry),
        ("KalturaDataEntry", DataEntry),
        ("KalturaMixEntry", BaseEntry),
        ("KalturaLiveChannel", MediaEntry),
        ("KalturaLiveStreamAdminEntry", LiveStreamEntry),
        ("KalturaExternalMediaEntry", MediaEntry),
    ],
)
def test_every_entry_subtype_a_list_can_hold_decodes_without_warning(
    object_type: str, expected: type
) -> None:
    page = {
        "objects": [{"id": "0_abc", "name": "n", "objectType": object_type}],
        "totalCount": 1,
        "objectType": "KalturaBaseEntryListResponse",
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        decoded = codec.decode(page)
    (entry,) = decoded.objects
    assert type(entry) is expected and entry.id == "0_abc"


def test_an_unknown_entry_type_still_warns() -> None:
    with pytest.warns(codec.UnknownObjectTypeWarning):
        entry = codec.decode({"id": "0_x", "objectType": "KalturaTomorrowEntry"}, BaseEntry)
    assert entry.id == "0_x"


def test_multirequest_payload_keeps_widget_session_and_typed_list() -> None:
    session, page = codec.decode(load_payload("multirequest-session-and-list.json"))
    assert isinstance(session, WidgetSession) and session.partner_id == 1082342
    assert session.user_id == "0"  # an int on the wire, a string in the model
    assert "ks=" not in repr(session)
    entry = page.objects[0]
    assert entry.media_type is MediaType.VIDEO
    assert entry.thumbnail_url.startswith("http://kaltura.com/p/1082342/")


def test_unknown_fields_are_kept_in_extra() -> None:
    entry = codec.decoder_for(BaseEntry)(
        {"id": "0_a", "brandNewField": [1, 2], "objectType": "KalturaBaseEntry"}
    )
    assert entry.extra == {"brandNewField": [1, 2]}


def test_a_value_of_the_wrong_type_goes_to_extra_instead_of_failing() -> None:
    entry = codec.decoder_for(MediaEntry)(
        {"id": "0_a", "mediaType": "document.Document", "objectType": "KalturaMediaEntry"}
    )
    assert entry.media_type is None
    assert entry.extra["mediaType"] == "document.Document"


def test_booleans_as_ints_or_strings() -> None:
    for raw in (1, "1", True, "true"):
        token = codec.decoder_for(UploadToken)(
            {"id": "0_t", "autoFinalize": raw, "objectType": "KalturaUploadToken"}
        )
        assert token.auto_finalize is True


def test_unknown_type_with_no_expectation_is_a_generic_object() -> None:
    value = codec.decode({"foo": 1, "objectType": "KalturaSomethingNew"})
    assert value == ApiObject(object_type="KalturaSomethingNew", extra={})
    assert value.extra["foo"] == 1


def test_document_entry_decodes_by_object_type() -> None:
    doc = codec.decoder_for(BaseEntry)(
        {"id": "0_d", "documentType": 13, "status": "2", "objectType": "KalturaDocumentEntry"}
    )
    assert isinstance(doc, DocumentEntry) and doc.status is EntryStatus.READY


def test_decoder_refuses_a_value_of_another_class() -> None:
    with pytest.raises(codec.DecodeError, match="expected Category"):
        codec.decoder_for(Category)({"id": "0_a", "objectType": "KalturaMediaEntry"})


def test_encode_leaves_out_read_only_and_unset_fields() -> None:
    entry = MediaEntry(id="0_x", name="clip", status=EntryStatus.READY, media_type=MediaType.VIDEO)
    assert codec.encode_object(entry) == {
        "name": "clip",
        "mediaType": 1,
        "objectType": "KalturaMediaEntry",
    }


def test_encode_clears_with_null_suffix() -> None:
    encoded = codec.encode_object(BaseEntryParams(name="x"), clear=["description"])
    assert encoded["description__null"] == "" and "description" not in encoded
    with pytest.raises(ValueError, match="no field 'nope'"):
        codec.encode_object(BaseEntryParams(), clear=["nope"])


def test_filters_send_csv_enums_and_booleans_as_the_server_reads_them() -> None:
    encoded = codec.encode(
        MediaEntryFilter(
            status_in=[EntryStatus.READY, EntryStatus.NO_CONTENT],
            categories_ids_empty=False,
            media_type_equal=MediaType.AUDIO,
            extra={"someFutureField": "x"},
        )
    )
    assert encoded == {
        "statusIn": "2,7",
        "categoriesIdsEmpty": 0,
        "mediaTypeEqual": 5,
        "someFutureField": "x",
        "objectType": "KalturaMediaEntryFilter",
    }
    assert codec.encode(Pager(page_size=500, page_index=3)) == {
        "pageSize": 500,
        "pageIndex": 3,
        "objectType": "KalturaFilterPager",
    }


def test_empty_list_uses_the_server_marker() -> None:
    assert codec.encode([]) == {"-": ""}
    assert json.dumps(codec.encode_params({"a": None, "b": True})) == '{"b": 1}'


def test_base_entry_filter_has_its_own_object_type() -> None:
    assert codec.encode(BaseEntryFilter())["objectType"] == "KalturaBaseEntryFilter"

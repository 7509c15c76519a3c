"""The last look decodes only the tokens that may carry the upload's names (issue 20)."""

from __future__ import annotations

from kaltura_mm.models import UploadToken
from kaltura_mm.protocol import codec
from kaltura_mm.upload.identity import TokenNames
from kaltura_mm.upload.last_look import _named_only

NAMES = TokenNames(prefix="clip.kmm0123456789ab", suffix=".mp4")


def _token(file_name: object, token_id: str) -> dict[str, object]:
    return {"objectType": "KalturaUploadToken", "id": token_id, "fileName": file_name}


def test_only_the_uploads_receipts_marker_and_odd_names_are_decoded() -> None:
    others = [_token(f"other{i}.kmmffffffffffffffff.0_abcdefgh.mp4", f"o{i}") for i in range(300)]
    mine = [
        _token(NAMES.receipt("0_aaaaaaaa"), "receipt"),
        _token(NAMES.marker, "marker"),
        _token(12, "numeric-name"),  # not a string: the decoder and the rules decide, as before
    ]
    value = {"objects": [*others[:150], *mine, *others[150:]], "totalCount": 303}
    page = _named_only(codec.list_decoder(UploadToken), NAMES)(value)
    assert [t.id for t in page.objects] == ["receipt", "marker", "numeric-name"]
    assert page.total_count == 303
    assert len(value["objects"]) == 303  # the response value itself is left as it came


def test_a_name_that_only_looks_like_the_uploads_is_left_out() -> None:
    near = [
        _token(NAMES.prefix + ".0_aaaaaaaa.mov", "other suffix"),
        _token(NAMES.prefix + ".not an id.mp4", "not an entry id"),
        _token(NAMES.prefix + "x.mp4", "longer prefix"),
    ]
    page = _named_only(codec.list_decoder(UploadToken), NAMES)({"objects": near, "totalCount": 3})
    assert page.objects == ()

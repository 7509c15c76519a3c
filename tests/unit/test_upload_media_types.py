"""File name -> entry kind (kaltura_mm.upload.media_types)."""

from __future__ import annotations

import pytest

from kaltura_mm.errors import ConfigError
from kaltura_mm.models import DocumentType, EntryType, MediaType
from kaltura_mm.upload.media_types import kind_of


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("lecture.mp4", MediaType.VIDEO),
        ("CLIP.MOV", MediaType.VIDEO),
        ("a.mkv", MediaType.VIDEO),
        ("song.mp3", MediaType.AUDIO),
        ("voice.m4a", MediaType.AUDIO),
        ("photo.jpeg", MediaType.IMAGE),
        ("scan.png", MediaType.IMAGE),
    ],
)
def test_media_files_become_media_entries(name: str, media_type: MediaType) -> None:
    kind = kind_of(name)
    assert kind.entry_type is EntryType.MEDIA_CLIP and kind.media_type is media_type


@pytest.mark.parametrize(
    ("name", "document_type"),
    [
        ("slides.pdf", DocumentType.PDF),
        ("a.swf", DocumentType.SWF),
        ("b.docx", DocumentType.DOCUMENT),
    ],
)
def test_documents_need_document_support(name: str, document_type: DocumentType) -> None:
    with pytest.raises(ConfigError, match="support_documents"):
        kind_of(name)
    kind = kind_of(name, support_documents=True)
    assert kind.entry_type is EntryType.DOCUMENT and kind.document_type is document_type


def test_unknown_extension_is_a_clear_error_unless_overridden() -> None:
    with pytest.raises(ConfigError, match="entry_type"):
        kind_of("data.xyz")
    assert kind_of("data.xyz", override=MediaType.AUDIO).media_type is MediaType.AUDIO
    assert kind_of("noext", override=DocumentType.PDF, support_documents=True).document_type == 13

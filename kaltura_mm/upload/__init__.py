"""The upload pipeline, one package; its module names tell the story of one upload.

1. ``request``: what to upload (``UploadRequest``), how (``UploadOptions``), what an upload
   remembers to resume (``UploadState``, its deterministic referenceId and token fileName).
2. ``prepare`` with ``local_file``, ``media_types`` and ``identity``: the file is checked (exists,
   regular, not empty, typed by its extension) and read once for its identity, which names the
   upload on the server, before anything is sent.
3. ``lookup`` and ``recover``: what an earlier run made under the upload's names is found,
   exactly, and the recovery rules decide: keep a complete entry, continue a half-made one,
   wait for the index when only a marker proves a create began, delete strays.
4. ``create``: marker, entry, receipt token, first part and links in one multiRequest, sent once.
5. ``chunks`` on ``plan``: the chunks go out in parallel under the numbered chunk rules, every
   failure met by one rule, the token asked for the truth after any doubt.
6. ``verify``: the token holds the whole file, the entry took it, the categories are set, and a
   last look settles anything made behind the upload's back.
7. ``one`` tells that story for one file (``upload_file``, ``resume_upload``, ``upload``);
   ``many`` for many at once (``upload_many``). ``job`` is the frozen working state they move,
   ``result`` what they report.
"""

from kaltura_mm.upload.many import upload_many
from kaltura_mm.upload.one import resume_upload, upload, upload_file
from kaltura_mm.upload.request import UploadOptions, UploadRequest, UploadState
from kaltura_mm.upload.result import UploadOutcome, UploadProgress, UploadResult

__all__ = [
    "UploadOptions",
    "UploadOutcome",
    "UploadProgress",
    "UploadRequest",
    "UploadResult",
    "UploadState",
    "resume_upload",
    "upload",
    "upload_file",
    "upload_many",
]

"""What a finished content replacement reports: ``ReplaceResult`` (``replace_content``'s value)."""

from __future__ import annotations

import attrs

from kaltura_mm.models import BaseEntry
from kaltura_mm.upload.replacement import AWAITING_APPROVAL, replacement_status


@attrs.frozen(kw_only=True)
class ReplaceResult:
    """A finished replacement: the entry as last read, and what it took.

    ``pending`` says the server has not swapped the new content in yet (the entry shows its old
    content until it does: ``replacing_entry_id`` names the temporary entry); ``status`` says
    where it stands: ``replaced``, ``pending`` (converting) or ``awaiting_approval`` (the partner
    requires approval: ``replace_content(approve=True)``, or approve it in the KMC).
    ``stale_cancelled`` says why an earlier replacement was cancelled first (None: none was).
    """

    entry: BaseEntry
    token_id: str | None
    bytes_sent: int
    chunks: int
    retries: int
    bytes_resumed: int = 0
    stale_cancelled: str | None = None

    @property
    def status(self) -> str:
        """Return ``replaced``, ``pending`` or ``awaiting_approval``."""
        if not self.pending:
            return "replaced"
        awaiting = replacement_status(self.entry) in AWAITING_APPROVAL
        return "awaiting_approval" if awaiting else "pending"

    @property
    def entry_id(self) -> str:
        """Return the entry's id (the same as before the replacement)."""
        return self.entry.id

    @property
    def replacing_entry_id(self) -> str | None:
        """Return the temporary entry taking the new content, while the swap is pending."""
        return self.entry.replacing_entry_id or None

    @property
    def pending(self) -> bool:
        """Return whether the new content is still on its way into the entry."""
        return self.replacing_entry_id is not None

"""Which sessions have the partner administrator's role for certain (``SecretKs.full_rights``):
only those never probe whether they may set referenceId (``upload/identity_check.py``)."""

from __future__ import annotations

from kaltura_mm.enums import SessionType
from kaltura_mm.ks import SecretKs

SECRET = "0123456789abcdef0123456789abcdef"


def test_an_admin_ks_without_user_or_setrole_has_full_rights() -> None:
    assert SecretKs(100, SECRET).full_rights


def test_a_user_ks_a_user_or_a_setrole_may_lack_a_permission() -> None:
    assert not SecretKs(100, SECRET, session_type=SessionType.USER).full_rights
    assert not SecretKs(100, SECRET, user_id="ann").full_rights  # the user's own KMC role
    assert not SecretKs(100, SECRET, privileges="setrole:12").full_rights

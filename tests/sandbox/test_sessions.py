"""session.startWidgetSession and START_SESSION_ERROR exactly as the server writes them."""

from __future__ import annotations

from kaltura_mm.sandbox import Sandbox, ks
from tests.sandbox.helpers import Api, is_error


def test_widget_session_is_an_anonymous_view_only_user_ks(sb: Sandbox) -> None:
    api = Api(sb, None)
    started = api.call("session", "startWidgetSession", widgetId=f"_{sb.partner_id}")
    assert started["objectType"] == "KalturaStartWidgetSessionResponse"
    assert started["partnerId"] == sb.partner_id and started["userId"] == 0
    session = ks.decode(started["ks"], [sb.admin_secret])
    assert (session.type, session.user_id) == (ks.USER, "0")
    assert session.has_privilege("view") and session.has_privilege("widget", "1")
    assert not session.is_admin
    assert 86_000 < session.valid_until - sb.clock.now() <= 86_400
    api.ks = started["ks"]
    listed = api.call("baseEntry", "list")
    assert listed["objectType"] == "KalturaBaseEntryListResponse"


def test_widget_session_for_an_unknown_or_missing_widget(sb: Sandbox) -> None:
    api = Api(sb, None)
    for widget in ("_999999", "1_abc", ""):  # an empty value is sent, so not missing
        result = api.call("session", "startWidgetSession", widgetId=widget)
        assert is_error(result, "INVALID_WIDGET_ID")
        assert result["message"] == f"Unknown widget [{widget}]"
        assert result["args"] == {"WIDGET_ID": widget}
    missing = api.call("session", "startWidgetSession")
    assert is_error(missing, "MISSING_MANDATORY_PARAMETER")


def test_widget_session_in_xml_is_read_as_the_official_client_reads_it(sb: Sandbox) -> None:
    api = Api(sb, None)
    xml = api.http.post(
        "/service/session/action/startWidgetSession", data={"widgetId": f"_{sb.partner_id}"}
    ).text
    assert "<result><objectType>KalturaStartWidgetSessionResponse</objectType><partnerId>" in xml
    assert "<userId>0</userId><relatedObjects></relatedObjects></result>" in xml


def test_start_session_error_names_the_partner_id_as_sent(sb: Sandbox) -> None:
    api = Api(sb, None)
    unknown = api.call("session", "start", secret="x", partnerId=424242)
    assert unknown["args"] == {"PID": "424242"}
    assert unknown["message"] == "Error while starting session for partner [424242]"
    text = api.call("session", "start", secret="x", partnerId="abc")  # cast to int: 0
    assert text["args"] == {"PID": "0"}


def test_start_without_a_partner_id_fails_even_with_a_ks(sb: Sandbox) -> None:
    api = Api(sb, sb.ks())  # a KS is no stand-in for the partnerId argument
    missing = api.call("session", "start", secret=sb.admin_secret, type=2)
    assert is_error(missing, "START_SESSION_ERROR")
    assert missing["args"] == {"PID": "N/A"}
    assert missing["message"] == "Error while starting session for partner [N/A]"

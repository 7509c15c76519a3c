"""Kaltura's developer-docs AppToken flow with the official KalturaApiClient (XML). Runs inside
the throwaway venv.

Usage: python official_app_token_script.py SERVICE_URL PARTNER_ID ADMIN_SECRET
Prints one JSON object describing what the official client saw.
"""

import hashlib
import json
import sys

from KalturaClient import KalturaClient, KalturaConfiguration
from KalturaClient.exceptions import KalturaException
from KalturaClient.Plugins.Core import (
    KalturaAppToken,
    KalturaAppTokenHashType,
    KalturaSessionType,
)


def client_for(service_url):
    config = KalturaConfiguration()
    config.serviceUrl = service_url
    return KalturaClient(config)


def error_code(call):
    try:
        call()
    except KalturaException as error:
        return error.code
    return None


def main():
    service_url, partner_id, secret = sys.argv[1:4]
    partner_id = int(partner_id)

    # The administrator makes the token once (an ADMIN KS from the admin secret).
    admin = client_for(service_url)
    admin.setKs(admin.session.start(secret, "admin", KalturaSessionType.ADMIN, partner_id))
    request = KalturaAppToken()
    request.hashType = KalturaAppTokenHashType.SHA256
    request.sessionType = KalturaSessionType.ADMIN
    request.sessionPrivileges = "disableentitlement"
    request.description = "docs flow"
    token = admin.appToken.add(request)

    # The application holds only the token's id and secret.
    app = client_for(service_url)
    widget = app.session.startWidgetSession(f"_{partner_id}")
    app.setKs(widget.ks)
    token_hash = hashlib.sha256((widget.ks + token.token).encode("ascii")).hexdigest()
    info = app.appToken.startSession(token.id, token_hash, "app-user", None, 600)
    app.setKs(info.ks)
    listed = app.baseEntry.list()

    wrong = client_for(service_url)
    wrong.setKs(widget.ks)
    bad_hash = error_code(lambda: wrong.appToken.startSession(token.id, "0" * 64))

    admin.appToken.delete(token.id)
    after_delete = error_code(lambda: app.baseEntry.list())
    print(
        json.dumps(
            {
                "token_hash_type": token.hashType.getValue(),
                "token_length": len(token.token),
                "session_info": type(info).__name__,
                "session_type": info.sessionType.getValue(),
                "session_user": info.userId,
                "session_partner": info.partnerId,
                "privileges": info.privileges,
                "token_id": token.id,
                "listed_type": type(listed).__name__,
                "listed_total": listed.totalCount,
                "bad_hash": bad_hash,
                "after_delete": after_delete,
            }
        )
    )


if __name__ == "__main__":
    main()

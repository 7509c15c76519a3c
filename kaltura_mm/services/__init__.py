"""One module per Kaltura service; functions only build ``Call`` values, never send them.

Functions keep Kaltura's action names in snake_case (``base_entry.list``, ``upload_token.upload``)
so they map one to one to Kaltura's documentation. Service and action strings appear only here.
"""

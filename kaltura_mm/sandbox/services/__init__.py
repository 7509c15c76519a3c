"""One module per Kaltura service; each exposes ``ACTIONS``: lower-case action name -> Action."""

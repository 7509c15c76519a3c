"""The command groups of the ``kaltura-mm`` command line, one module per job.

``kaltura_mm.cli`` names them in its ``COMMANDS`` table and loads each module only when its
command runs (``kaltura_mm.commands.lazy``); the modules here hold the commands and what only the
command line needs (profiles, output formats, exit codes, journal, progress).
"""

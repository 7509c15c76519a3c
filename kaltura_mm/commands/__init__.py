"""The command groups of the ``kaltura-mm`` command line, one module per job.

``kaltura_mm.cli`` assembles them into the click group; the modules here hold the commands and
what only the command line needs (profiles, output formats, exit codes, journal, progress).
"""

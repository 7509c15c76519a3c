"""A worker process runs the command line it was started from, joining the job instead."""

from __future__ import annotations

from kaltura_mm.commands.job_options import worker_argv


def test_a_workers_command_line_drops_workers_and_joins_the_job() -> None:
    argv = ["--json", "upload", "media", "--workers", "3", "-c", "Root>Drop", "--lease=5"]
    assert worker_argv(argv, "ab12") == [
        "--json", "upload", "media", "-c", "Root>Drop", "--lease=5",
        "--job", "ab12", "--job-worker", "--quiet",
    ]  # fmt: skip
    assert worker_argv(["delete", "--workers=2", "--yes"], "cd34")[:2] == ["delete", "--yes"]

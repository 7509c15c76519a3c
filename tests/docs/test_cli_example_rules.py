"""The rules that pick the docs' command lines (tests/docs/cli_examples.py), on made-up pages."""

from __future__ import annotations

from pathlib import Path

from tests.docs.cli_examples import assumed_categories, command_lines, rebased

PAGE = """# A page

```sh
pip install . && kaltura-mm demo     # the install is dropped, the command kept
pip install kaltura-mm
export KALTURA_REGION=eu
kaltura-mm upload lectures/ -c "Root>Courses" \\
    --quiet
17 * * * * kaltura-mm sync /srv/lectures -c 'MediaSpace>site' --yes || mail ops@example.com
kaltura-mm move 0_abc 0_def -c 12 --to 34   # (illustration)
pytest
```

```python
kaltura-mm list  # not a shell block
```

```console
$ kaltura-mm --sandbox upload tests/media -c "CI>Smoke" --create-categories
```
"""


def test_lines_are_picked_joined_and_trimmed_as_documented(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(PAGE, encoding="utf-8")
    lines = command_lines(page)
    assert [(line.number, line.text, line.block) for line in lines] == [
        (4, "kaltura-mm demo     # the install is dropped, the command kept", 0),
        (6, "export KALTURA_REGION=eu", 0),
        (7, 'kaltura-mm upload lectures/ -c "Root>Courses" --quiet', 0),
        (9, "kaltura-mm sync /srv/lectures -c 'MediaSpace>site' --yes || mail ops@example.com", 0),
        (19, 'kaltura-mm --sandbox upload tests/media -c "CI>Smoke" --create-categories', 1),
    ]
    assert [line.is_export for line in lines] == [False, True, False, False, False]
    # what the reader's account holds: not the --sandbox one's, not numeric ids
    assert assumed_categories(lines) == ["Root>Courses", "MediaSpace>site"]


def test_system_paths_are_taken_under_the_test_folder(tmp_path: Path) -> None:
    line = "kaltura-mm upload /srv/x --report /var/log/r.csv --plan-out /tmp/p ./srv/y"
    assert rebased(line, tmp_path) == (
        f"kaltura-mm upload {tmp_path}/srv/x --report {tmp_path}/var/log/r.csv "
        f"--plan-out {tmp_path}/tmp/p ./srv/y"
    )

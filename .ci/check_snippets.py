"""Type-check every Python snippet of README.md and docs/ with ``mypy --strict``.

Each ```python block becomes a module: the block wrapped in an ``async def`` (so ``await`` and
``async with`` read as in an application), after a short preamble naming what the docs leave to
the reader (an admin secret, a KS, your own flow). A snippet that no longer type-checks against
the package fails CI, so the docs cannot drift from the API. Run from the repository root.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# docs/sandbox.md is written with the sandbox (its own work in progress): checked once it lands.
SKIP = {"sandbox.md"}
PREAMBLE = """\
from __future__ import annotations

from kaltura_mm.runtime.effects import Flow

admin_secret = "the partner's admin secret"
ks = "a KS"


def my_flow() -> Flow[None]:
    return None
    yield


async def _snippet() -> None:
"""


def _snippets() -> list[tuple[Path, int, str]]:
    files = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    found = []
    for path in files:
        if path.name in SKIP:
            continue
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"```python\n(.*?)```", text, flags=re.DOTALL):
            line = text.count("\n", 0, match.start()) + 2  # the block's first line, 1-based
            found.append((path, line, match.group(1)))
    return found


def main() -> int:
    snippets = _snippets()
    offset = PREAMBLE.count("\n")
    with tempfile.TemporaryDirectory() as folder:
        where = {}
        for number, (path, line, code) in enumerate(snippets):
            module = Path(folder) / f"snippet_{number:03d}.py"
            module.write_text(PREAMBLE + textwrap.indent(code, "    "), encoding="utf-8")
            where[module.name] = (path, line)
        done = subprocess.run(  # noqa: S603 - our own interpreter on our own files
            [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", folder],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
    for report in done.stdout.splitlines():
        match = re.match(r".*?(snippet_\d+\.py):(\d+): (.*)", report)
        if not match:
            print(report)
            continue
        path, line = where[match.group(1)]
        doc_line = line + int(match.group(2)) - offset - 1
        print(f"{path.relative_to(ROOT)}:{doc_line}: {match.group(3)}")
    print(f"{len(snippets)} snippets checked", file=sys.stderr)
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())

"""The official ``KalturaApiClient`` in a throwaway venv, for comparisons. Never a dependency.

The venv lives in ``.cache/official-venv`` under the repository (ignored by git) and is made once;
``official_python()`` returns its interpreter, installing the package on first use.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(os.environ.get("KALTURA_MM_OFFICIAL_VENV", ROOT / ".cache" / "official-venv"))
# lxml: the official client imports it but does not declare it.
PACKAGES = os.environ.get("KALTURA_MM_OFFICIAL_PACKAGES", "KalturaApiClient lxml").split()


def official_python() -> Path:
    """Return the interpreter of a venv that has the official client, creating it if needed."""
    python = VENV / "bin" / "python"
    marker = VENV / ".installed"
    if marker.exists():
        return python
    if not python.exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *PACKAGES],
        check=True,
    )
    check = "import KalturaClient, KalturaClient.Plugins.Core"
    subprocess.run([str(python), "-c", check], check=True)
    marker.write_text(" ".join(PACKAGES) + "\n", encoding="utf-8")
    return python


if __name__ == "__main__":
    sys.stdout.write(f"{official_python()}\n")

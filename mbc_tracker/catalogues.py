"""The translation catalogues: where they are, and compiling the ones that changed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def catalogues() -> list[Path]:
    """Every .po file of the project and its apps (never those of installed packages)."""
    found = [*ROOT.glob("locale/*/LC_MESSAGES/*.po"), *ROOT.glob("*/locale/*/LC_MESSAGES/*.po")]
    return sorted(path for path in found if not path.parts[len(ROOT.parts)].startswith("."))


def compile_stale_catalogues() -> list[Path]:
    """Compile each .po whose .mo is missing or older, with gettext's msgfmt; returns those
    compiled. A missing msgfmt is reported plainly: the Debian package is ``gettext``."""
    stale = [
        po
        for po in catalogues()
        if not po.with_suffix(".mo").exists()
        or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    msgfmt = shutil.which("msgfmt")
    if stale and msgfmt is None:
        raise SystemExit("msgfmt is missing: install gettext (sudo apt-get install -y gettext).")
    for po in stale:
        # Our own files, named by our own glob: nothing here comes from a request.
        subprocess.run(  # noqa: S603
            [msgfmt, "--check-format", "-o", str(po.with_suffix(".mo")), str(po)], check=True
        )
    return stale

"""The translation catalogues: where they are, and compiling the ones that changed."""

from __future__ import annotations

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
    compiled = []
    for po in catalogues():
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        try:
            subprocess.run(["msgfmt", "--check-format", "-o", str(mo), str(po)], check=True)
        except FileNotFoundError:
            raise SystemExit(
                "msgfmt is missing: install gettext (sudo apt-get install -y gettext)."
            ) from None
        compiled.append(po)
    return compiled

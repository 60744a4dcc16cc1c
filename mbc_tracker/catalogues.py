"""The translation catalogues: where they are, and compiling the ones that changed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
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


# --- Checking the catalogues: complete and up to date (manage.py messages_check) -------------

# What `make messages` leaves out of the catalogues (keep in step with MESSAGES_IGNORE in the
# Makefile; a test compares the two).
MESSAGES_IGNORE = (
    "staticfiles",
    "var",
    "bench",
    "node_modules",
    "*/tests/*",
    "conftest.py",
)
# Not copied for the fresh extraction: nothing in them is ours to translate.
_NOT_COPIED = (".git", ".venv", "var", "staticfiles", "node_modules", "__pycache__", "*.mo")


@dataclass(frozen=True)
class Message:
    """One entry of a .po file."""

    context: str
    msgid: str
    plural: str
    msgstrs: tuple[str, ...]
    fuzzy: bool

    @property
    def key(self) -> tuple[str, str]:
        return (self.context, self.msgid)

    @property
    def translated(self) -> bool:
        return not self.fuzzy and bool(self.msgstrs) and all(self.msgstrs)


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_QUOTED = re.compile(r'^"(.*)"\s*$')


def _unquote(text: str) -> str:
    inner = _QUOTED.match(text.strip())
    if inner is None:
        raise ValueError(f"Not a quoted PO string: {text!r}")
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), inner.group(1))


def read_po(path: Path) -> list[Message]:
    """The entries of a .po file (obsolete "#~" ones and the header left out)."""
    messages: list[Message] = []
    fields: dict[str, str] = {}
    flags: set[str] = set()
    current = ""

    def close() -> None:
        nonlocal fields, flags, current
        if fields.get("msgid"):
            strs = tuple(
                value
                for name, value in sorted(fields.items())
                if name == "msgstr" or name.startswith("msgstr[")
            )
            messages.append(
                Message(
                    context=fields.get("msgctxt", ""),
                    msgid=fields["msgid"],
                    plural=fields.get("msgid_plural", ""),
                    msgstrs=strs,
                    fuzzy="fuzzy" in flags,
                )
            )
        fields, flags, current = {}, set(), ""

    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            close()
        elif line.startswith("#~"):
            continue  # obsolete: no longer in the code
        elif line.startswith("#,"):
            flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            fields[current] += _unquote(line)
        else:
            name, _space, value = line.partition(" ")
            if name in ("msgctxt", "msgid") and "msgstr" in " ".join(fields):
                close()  # entries not separated by a blank line
            current = name
            fields[name] = _unquote(value)
    return messages


@dataclass
class CatalogueReport:
    path: str  # relative to the project
    translated: int = 0
    untranslated: list[str] = field(default_factory=list)  # msgids, fuzzy ones included
    fuzzy: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # in the code, not in the catalogue

    @property
    def ok(self) -> bool:
        return not (self.untranslated or self.missing)


def _label(message: Message) -> str:
    return f"{message.context} | {message.msgid}" if message.context else message.msgid


def check_catalogues(fresh: dict[str, list[Message]] | None) -> list[CatalogueReport]:
    """Each committed Spanish catalogue: how many entries are translated, which are not (empty
    or fuzzy), and, given a fresh extraction (path -> its entries), which strings of the code
    it lacks. A catalogue the code needs but nobody has made yet is reported too."""
    committed = {
        str(po.relative_to(ROOT)): read_po(po)
        for po in catalogues()
        if po.parent.parent.name == "es"
    }
    reports = []
    for path in sorted(set(committed) | set(fresh or {})):
        messages = committed.get(path, [])
        report = CatalogueReport(path=path)
        for message in messages:
            if message.translated:
                report.translated += 1
            else:
                report.untranslated.append(_label(message))
                if message.fuzzy:
                    report.fuzzy.append(_label(message))
        if fresh is not None:
            known = {message.key for message in messages}
            report.missing = [
                _label(message) for message in fresh.get(path, []) if message.key not in known
            ]
        reports.append(report)
    return reports


def fresh_extraction(python: str, stdout: object = None) -> dict[str, list[Message]]:
    """The catalogues `make messages` would make now, made in a temporary copy of the project
    (the committed ones are left alone): path -> entries."""
    with tempfile.TemporaryDirectory(prefix="messages-check-") as folder:
        copy = Path(folder) / "project"
        shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(*_NOT_COPIED), symlinks=True)
        environment = {**os.environ, "DJANGO_DEBUG": "1", "VAR_DIR": str(Path(folder) / "var")}
        command = [
            python,
            "manage.py",
            "makemessages",
            "--locale=es",
            "--no-obsolete",
            "--add-location=file",
            "--verbosity=0",
            *(f"--ignore={pattern}" for pattern in MESSAGES_IGNORE),
        ]
        # Our own interpreter and arguments: nothing here comes from a request.
        subprocess.run(command, cwd=copy, env=environment, check=True, stdout=stdout)  # noqa: S603
        found = [*copy.glob("locale/es/LC_MESSAGES/django.po")]
        found += copy.glob("*/locale/es/LC_MESSAGES/django.po")
        return {str(po.relative_to(copy)): read_po(po) for po in found}

"""manage.py messages_check: the Spanish catalogues hold every marked string of the code, each
translated; counts per catalogue for the release notes."""

import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from mbc_tracker import catalogues

PO = r"""# A catalogue to read.
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"

#: accounts/views.py
msgid "Your language is saved."
msgstr "Su idioma quedó guardado."

#: lib/dates.py
msgid "%(count)d day ago"
msgid_plural "%(count)d days ago"
msgstr[0] "hace %(count)d día"
msgstr[1] "hace %(count)d días"

#: lib/dates.py
msgctxt "month"
msgid "May"
msgstr ""

#, fuzzy, python-format
msgid "Hello %(name)s"
msgstr "Hola %(name)s"

msgid ""
"A long one, "
"with a \"quote\"\n"
msgstr ""
"Una larga, "
"con una \"cita\"\n"

#~ msgid "Gone"
#~ msgstr "Ido"
"""


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_po_file_is_read_entry_by_entry(tmp_path):
    messages = catalogues.read_po(write(tmp_path, "django.po", PO))
    by_id = {message.msgid: message for message in messages}
    assert set(by_id) == {
        "Your language is saved.",
        "%(count)d day ago",
        "May",
        "Hello %(name)s",
        'A long one, with a "quote"\n',
    }  # neither the header nor the obsolete entry
    assert by_id["%(count)d day ago"].msgstrs == ("hace %(count)d día", "hace %(count)d días")
    assert by_id["%(count)d day ago"].translated
    assert by_id["May"].context == "month" and not by_id["May"].translated
    assert by_id["Hello %(name)s"].fuzzy and not by_id["Hello %(name)s"].translated
    assert by_id['A long one, with a "quote"\n'].msgstrs == ('Una larga, con una "cita"\n',)


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.setattr(catalogues, "ROOT", tmp_path)
    write(tmp_path, "accounts/locale/es/LC_MESSAGES/django.po", PO)
    write(tmp_path, "locale/es/LC_MESSAGES/django.po", PO.split("#: lib/dates.py")[0])
    return tmp_path


def test_counts_and_lists_untranslated_fuzzy_and_missing(project, tmp_path):
    fresh = {
        "accounts/locale/es/LC_MESSAGES/django.po": catalogues.read_po(
            write(tmp_path, "fresh.po", PO + '\nmsgid "New on the page"\nmsgstr ""\n')
        ),
        "care/locale/es/LC_MESSAGES/django.po": catalogues.read_po(
            write(tmp_path, "care.po", 'msgid "Call now"\nmsgstr ""\n')
        ),
    }
    reports = {report.path: report for report in catalogues.check_catalogues(fresh)}
    accounts = reports["accounts/locale/es/LC_MESSAGES/django.po"]
    assert accounts.translated == 3
    assert accounts.untranslated == ["month | May", "Hello %(name)s"]
    assert accounts.fuzzy == ["Hello %(name)s"]
    assert accounts.missing == ["New on the page"]
    assert not accounts.ok
    # A catalogue the code needs that nobody has made: every string of it is missing.
    assert reports["care/locale/es/LC_MESSAGES/django.po"].missing == ["Call now"]
    assert reports["locale/es/LC_MESSAGES/django.po"].ok


def test_the_command_prints_counts_and_fails_naming_the_strings(project, monkeypatch, capsys):
    fresh = {"accounts/locale/es/LC_MESSAGES/django.po": [], "locale/es/LC_MESSAGES/django.po": []}
    monkeypatch.setattr(
        "accounts.management.commands.messages_check.fresh_extraction", lambda python: fresh
    )
    with pytest.raises(CommandError, match="incomplete"):
        call_command("messages_check")
    out = capsys.readouterr().out
    assert (
        "accounts/locale/es/LC_MESSAGES/django.po: 3 translated, 2 untranslated (1 fuzzy), "
        "0 missing from the catalogue" in out
    )
    assert "  untranslated: 'month | May'" in out
    assert "locale/es/LC_MESSAGES/django.po: 1 translated, 0 untranslated (0 fuzzy)" in out
    assert "All catalogues: 4 translated, 2 untranslated, 0 missing" in out


def test_the_command_passes_when_all_is_translated(project, capsys):
    write(
        project, "accounts/locale/es/LC_MESSAGES/django.po", PO.split("#: lib/dates.py\nmsgctxt")[0]
    )
    call_command("messages_check", "--no-extract")
    out = capsys.readouterr().out
    assert "All catalogues: 3 translated, 0 untranslated" in out
    assert "complete and up to date" in out


def test_the_extraction_ignores_what_make_messages_ignores():
    makefile = (catalogues.ROOT / "Makefile").read_text()
    block = re.search(r"^MESSAGES_IGNORE :=(.*?)\n(?=\S)", makefile, re.S | re.M)
    assert block is not None
    ignored = tuple(pattern.strip("'") for pattern in re.findall(r"--ignore=(\S+)", block.group(1)))
    assert ignored == catalogues.MESSAGES_IGNORE


def test_every_committed_spanish_catalogue_is_translated_with_nothing_fuzzy():
    """The catalogues as committed (no extraction: ``messages_check`` in CI does that)."""
    problems = [
        f"{report.path}: {len(report.untranslated)} not translated ({len(report.fuzzy)} fuzzy): "
        + "; ".join(repr(msgid) for msgid in report.untranslated[:20])
        for report in catalogues.check_catalogues(None)
        if report.untranslated
    ]
    assert not problems, "\n".join(problems)

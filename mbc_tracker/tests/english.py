"""Finding English left on a page that should be in another language.

A page rendered in Spanish should hold no English sentence. Visible text and the attributes a
person reads or hears (title, alt, aria-label, placeholder, button values) are searched for
common English words that are never Spanish words; a text that holds one is reported whole, so
a failure names the string to mark or translate.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Common English words that are not Spanish words (so "a", "me", "no", "has", "come" are out).
_WORDS = """
    the and you your yours with what when where which who why how this that these those have
    had today yesterday tomorrow please save saved sign signed log logged logging call called
    team pain help not are was were will would should could can may must our from into about
    here there next back change changed settings home appointment appointments history message
    messages notes week weeks day days none yes more less see show open close new edit delete
    cancel send sent all any been out over only just still also than then them they their its is
    be an at by of on or to in it if do does did get keep let like make need now off other read
    same some take tell time very want well add feel feeling usual bad good score scan scans
    symptom symptoms fever temperature every each first last before after until since again
    download record password email address name phone number questions question urgent advice
    emergency nurse doctor ready waiting yet
"""
ENGLISH_WORDS = frozenset(_WORDS.split())

READ_ATTRIBUTES = ("title", "alt", "aria-label", "placeholder", "aria-description")
SKIPPED_TAGS = {"script", "style", "template", "code", "pre"}
# Whole words in any alphabet, so a Spanish word with an accent ("allí") is never read as two
# English ones ("all", "í").
WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*")


class _Texts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in SKIPPED_TAGS:
            self._skipping.append(tag)
        if "translate" in values and values["translate"] == "no":
            return
        for name in READ_ATTRIBUTES:
            if values.get(name):
                self.texts.append(values[name] or "")
        if tag == "input" and values.get("type") in {"submit", "button", "reset"}:
            self.texts.append(values.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self._skipping and data.strip():
            self.texts.append(" ".join(data.split()))


def visible_texts(html: str) -> list[str]:
    parser = _Texts()
    parser.feed(html)
    return parser.texts


def english_left(html: str, allowed: tuple[str, ...] = ()) -> list[str]:
    """The texts of ``html`` that still read as English (``allowed`` texts, such as a person's
    name or an email address, are removed first)."""
    found = []
    for text in visible_texts(html):
        rest = text
        for ok in allowed:
            rest = rest.replace(ok, " ")
        # Email addresses and web addresses are not words of any language.
        rest = re.sub(r"\S+@\S+|https?://\S+", " ", rest)
        if any(word.lower() in ENGLISH_WORDS for word in WORD.findall(rest)):
            found.append(text)
    return found

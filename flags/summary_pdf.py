"""The visit summary as a PDF, with WeasyPrint, from the same HTML as the printable page.

Nothing is fetched from the network: the fetcher below serves our own static files (the
stylesheet) from disk and refuses every other URL, so a summary can never leak a request or hang
on a slow host. WeasyPrint needs Debian's pango (libpango-1.0-0, libpangoft2-1.0-0).
"""

from __future__ import annotations

import mimetypes
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint import HTML, Document
from weasyprint.urls import URLFetcher, URLFetcherResponse


class StaticOnlyFetcher(URLFetcher):
    """Serves ``{base_url}{STATIC_URL}…`` from the static files on disk; refuses the rest."""

    def __init__(self, base_url: str) -> None:
        super().__init__(allowed_protocols=["http", "https"], allow_redirects=False)
        base = urlsplit(base_url)
        self._origin = (base.scheme, base.netloc)
        self._static_path = urlsplit(settings.STATIC_URL).path

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc) != self._origin or not parts.path.startswith(
            self._static_path
        ):
            raise ValueError(f"Not one of our static files: {url}")
        name = unquote(parts.path.removeprefix(self._static_path))
        path = finders.find(name) if ".." not in name.split("/") else None
        if not path:
            raise ValueError(f"No such static file: {name}")
        with open(path, "rb") as file:
            body = file.read()
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=body, headers={"Content-Type": content_type})


def render_document(html: str, *, base_url: str) -> Document:
    """``html`` laid out on pages; relative links resolve against ``base_url`` (our origin)."""
    return HTML(string=html, base_url=base_url, url_fetcher=StaticOnlyFetcher(base_url)).render()


def render_pdf(html: str, *, base_url: str) -> bytes:
    """The PDF bytes of ``html``."""
    return render_document(html, base_url=base_url).write_pdf()

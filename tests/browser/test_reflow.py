"""Every page fits a 320px-wide screen without sideways scrolling (WCAG 2.2, 1.4.10 Reflow).

A phone held upright, or a desktop zoomed to 400%, shows 320 CSS pixels. The test signs in as
an officer (who sees the public pages too) and follows the links from the home page and the
staff pages, one page for each kind of address, and measures each page's width. Wide tables
may scroll inside their own box (init.mjs wraps them); the page itself may not.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlparse

import pytest

from tests.browser.support import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

NARROW = {"width": 320, "height": 640}
# Files and downloads are not pages; signing out would end the crawl.
NOT_PAGES = re.compile(r"sign-out|/django-admin/|/pdf/|\.(csv|json|xlsx|pdf|png|svg|geojson|zip|py)(\?|$)|/screenshot/|/download")
MOST_PAGES = 150


def test_every_kind_of_page_fits_a_320px_screen(browser: Any, live_server: Any, demo: None) -> None:
    context = browser.new_context(base_url=live_server.url, viewport=NARROW)
    try:
        page = context.new_page()
        sign_in(page, "officer")
        host = urlparse(live_server.url).netloc
        queue = ["/", "/staff/"]
        seen: set[str] = set()
        kinds: set[str] = set()
        too_wide: list[str] = []
        visited = 0
        while queue and visited < MOST_PAGES:
            path = queue.pop(0)
            kind = re.sub(r"\d+", "N", urlparse(path).path)
            if path in seen or kind in kinds:
                continue
            seen.add(path)
            kinds.add(kind)
            response = page.goto(path)
            if response is None or response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
                continue
            visited += 1
            width = page.evaluate("() => document.documentElement.scrollWidth")
            if width > NARROW["width"]:
                too_wide.append(f"{path}: {width}px")
            for href in page.eval_on_selector_all("a[href]", "links => links.map((a) => a.getAttribute('href'))"):
                url = urlparse(urljoin(live_server.url + path, href))
                if url.netloc == host and not NOT_PAGES.search(url.path):
                    queue.append(url.path + (f"?{url.query}" if url.query else ""))
        assert visited >= 60, f"only {visited} pages were reached"
        assert too_wide == [], "pages wider than 320px:\n" + "\n".join(too_wide)
    finally:
        context.close()

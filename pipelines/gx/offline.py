"""Data Docs a steward can open on a locked-down machine: no network, no script, a static index.

GX 1.24's pages take Bootstrap, jQuery, bootstrap-table, Vega and Font Awesome from CDNs and its index
page builds its tables with JavaScript, so offline a page is unstyled and the index is empty. After GX
has written the site, ``make_offline`` rewrites every page: every ``<script>`` is dropped (GX's own code
needs the CDN libraries anyway, and a page that runs nothing cannot run what a data value smuggles in),
so are stylesheets and images from the internet and links out of the site; a small local stylesheet
takes their place, and the index is written again as plain HTML from the stored results. The values
themselves reach GX already neutralised (``pipelines.gx.validate.neutralise``); this is the second wall.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

STYLESHEET = "samverkan-offline.css"
MARKER = "<!-- samverkan: offline -->"
CSS = """body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #1a1a1a; line-height: 1.4; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border: 1px solid #c8c8c8; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #eef1f4; }
.text-danger, .ge-failed-icon { color: #a4000f; }
.text-success { color: #1e6b2d; }
.collapse { display: block; }
nav, footer { display: none; }
/* Font Awesome's status icons, as plain characters. */
.fas { font-style: normal; }
.fa-check-circle::before { content: "✓"; color: #1e6b2d; }
.fa-times::before, .fa-times-circle::before { content: "✗"; color: #a4000f; }
.fa-exclamation-triangle::before { content: "!"; color: #8a5a00; }
code, pre { font-family: ui-monospace, monospace; white-space: pre-wrap; }
"""

_SCRIPT = re.compile(r"<script\b.*?</script\s*>|<script\b[^>]*/?>", re.IGNORECASE | re.DOTALL)
_EXTERNAL_TAG = re.compile(r"<(?:link|img|iframe|embed|object|source)\b[^>]*\b(?:href|src|data)\s*=\s*"
                           r"[\"']?\s*(?:https?:)?//[^>]*>", re.IGNORECASE)
_URL = r"(?:https?:|javascript:|data:|//)"
_ABSOLUTE_URL = re.compile(rf"""\s(?:href|src|action|formaction|srcset|poster)\s*=\s*"""
                           rf"""(?:"\s*{_URL}[^"]*"|'\s*{_URL}[^']*'|{_URL}[^\s>]*)""", re.IGNORECASE)
_CSS_URL = re.compile(r"@import[^;]*;|url\(\s*[\"']?\s*(?:https?:)?//[^)]*\)", re.IGNORECASE)
_EVENT_ATTRIBUTE = re.compile(r"""\son[a-z]+\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)""", re.IGNORECASE)


def offline_html(page: str, stylesheet_href: str) -> str:
    """One GX page without scripts, internet resources, outbound links or event handlers, with local styles."""
    if MARKER in page:
        return page
    page = _SCRIPT.sub("", page)
    page = _EXTERNAL_TAG.sub("", page)
    page = _ABSOLUTE_URL.sub("", page)
    page = _CSS_URL.sub("", page)
    page = _EVENT_ATTRIBUTE.sub("", page)
    link = f'{MARKER}<link rel="stylesheet" href="{stylesheet_href}">'
    if re.search(r"</head\s*>", page, re.IGNORECASE):
        return re.sub(r"</head\s*>", lambda _: link + "</head>", page, count=1, flags=re.IGNORECASE)
    return link + page


def _results(store: Path) -> list[tuple[str, str, bool, str]]:
    """(dataset, run time, success, page path relative to the site) of every stored result, newest first."""
    found = []
    for path in store.glob("*/*/*/*.json"):
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        relative = path.relative_to(store).with_suffix(".html").as_posix()
        found.append((path.parts[-4], path.parts[-2], bool(document.get("success")), f"validations/{relative}"))
    return sorted(found, key=lambda r: (r[1], r[0]), reverse=True)


def index_page(site: Path, store: Path) -> str:
    """The site's index as plain HTML: every stored result and every suite, as links."""
    rows = "\n".join(
        f'<tr><td>{html.escape(dataset)}</td><td>{html.escape(stamp)}</td>'
        f'<td class="{"text-success" if ok else "text-danger"}">{"godkänd" if ok else "underkänd"}</td>'
        f'<td><a href="{html.escape(link)}">visa</a></td></tr>'
        for dataset, stamp, ok, link in _results(store) if (site / link).exists())
    suites = "\n".join(f'<li><a href="expectations/{html.escape(p.name)}">{html.escape(p.stem)}</a></li>'
                       for p in sorted((site / "expectations").glob("*.html")))
    return (f'<!DOCTYPE html>\n<html lang="sv"><head><meta charset="utf-8"><title>Datakvalitet – Data Docs'
            f'</title>{MARKER}<link rel="stylesheet" href="{STYLESHEET}"></head><body>\n'
            f"<h1>Datakvalitet: valideringar</h1>\n<p>Varje validering av inkorgens filer mot datakontraktet, "
            f"den senaste först. Sidorna visar underkända värden med fil och rad.</p>\n"
            f"<table><thead><tr><th>dataset</th><th>körd (UTC)</th><th>resultat</th><th>sida</th></tr></thead>"
            f"<tbody>\n{rows}\n</tbody></table>\n<h2>Förväntningar per dataset</h2>\n<ul>\n{suites}\n</ul>\n"
            f"</body></html>\n")


def make_offline(site: Path, store: Path) -> None:
    """Rewrite the GX site at ``site`` (results in ``store``) to work offline and run nothing."""
    site = Path(site)
    if not site.is_dir():
        return
    (site / STYLESHEET).write_text(CSS, encoding="utf-8")
    for page in site.rglob("*.html"):
        if page == site / "index.html":
            continue
        depth = len(page.relative_to(site).parts) - 1
        text = page.read_text(encoding="utf-8")
        rewritten = offline_html(text, "../" * depth + STYLESHEET)
        if rewritten != text:
            page.write_text(rewritten, encoding="utf-8")
    for sheet in site.rglob("*.css"):
        text = sheet.read_text(encoding="utf-8")
        if _CSS_URL.search(text):
            sheet.write_text(_CSS_URL.sub("none", text), encoding="utf-8")
    (site / "index.html").write_text(index_page(site, Path(store)), encoding="utf-8")

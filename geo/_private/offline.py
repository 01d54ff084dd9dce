"""Make folium HTML self-contained: inline vendored Leaflet, drop CDN extras, check for external references.

folium's pages load Leaflet, jQuery, Bootstrap, Font Awesome and
Leaflet.awesome-markers from CDNs. :func:`make_offline` rewrites a rendered
page so that it needs none of them:

* Leaflet JS and CSS are inlined from the copy vendored in
  ``geo/data/vendor/leaflet`` (npm ``leaflet`` 1.9.4); the images the CSS
  refers to (layer-control icon, default marker) become ``data:`` URIs;
* jQuery is replaced by a ~20-line shim covering the two uses folium makes of
  it (``$(html)[0]`` in popups and ``$(document).ready``);
* Bootstrap, Font Awesome, glyphicons and awesome-markers are dropped. A page
  that actually *uses* awesome-markers (``folium.Icon``) cannot work without
  them, so that is an error in strict mode: use CircleMarkers or DivIcons.

:func:`external_references` lists every URL a browser would fetch when
opening a page (``src``/``href`` of scripts, stylesheets, images, frames,
CSS ``url()`` and ``@import``), recursing into ``<iframe srcdoc>``. Links the
user may click (``<a href>``) are not fetches and are not reported.
"""

from __future__ import annotations

import base64
import functools
import html as _html
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

from geo.errors import InputError

VENDOR_DIR = Path(__file__).resolve().parent.parent / "data" / "vendor"
LEAFLET_DIR = VENDOR_DIR / "leaflet"

# Minimal stand-in for jQuery: folium uses ``$(`<div>...</div>`)[0]`` for popups
# and ``$(document).ready(fn)``. Nothing else in folium's core templates needs it.
JQUERY_SHIM = """
(function(){
  if (window.jQuery) { return; }
  function ready(fn){ if (document.readyState !== 'loading') { fn(); } else { document.addEventListener('DOMContentLoaded', fn); } }
  var $ = function(arg){
    if (typeof arg === 'function') { ready(arg); return; }
    if (typeof arg === 'string') {
      var t = document.createElement('template'); t.innerHTML = arg.trim();
      var nodes = Array.prototype.slice.call(t.content.childNodes);
      nodes.ready = ready; return nodes;
    }
    var wrapped = [arg]; wrapped.ready = ready; return wrapped;
  };
  window.$ = window.jQuery = $;
})();
"""

# CDN resources folium adds by default that are dropped (not needed by geo's maps).
_DROP = (
    "bootstrap",
    "glyphicons",
    "fontawesome",
    "font-awesome",
    "awesome-markers",
    "awesome.rotate",
)
# Script text showing that a dropped library is actually used.
_USES_DROPPED = {
    "L.AwesomeMarkers": "folium.Icon (Leaflet.awesome-markers)",
}

_SCRIPT_SRC = re.compile(r"""<script\b[^>]*?\bsrc\s*=\s*(["'])(?P<url>[^"']+)\1[^>]*>\s*</script>""", re.I | re.S)
_LINK_HREF = re.compile(r"""<link\b[^>]*?\bhref\s*=\s*(["'])(?P<url>[^"']+)\1[^>]*?/?>""", re.I | re.S)
_CSS_URL = re.compile(r"""url\(\s*(["']?)(?P<url>[^"')]+)\1\s*\)""", re.I)
_CSS_IMPORT = re.compile(r"""@import\s+(["'])(?P<url>[^"']+)\1""", re.I)


def _data_uri(path: Path, mime: str) -> str:
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


@functools.cache
def leaflet_js() -> str:
    """The vendored Leaflet JavaScript, plus default-marker icons as data URIs.

    Examples
    --------
    >>> js = leaflet_js()
    >>> "Leaflet 1.9.4" in js and "sourceMappingURL" not in js
    True
    """
    js = (LEAFLET_DIR / "leaflet.js").read_text(encoding="utf-8")
    js = re.sub(r"//# sourceMappingURL=\S+", "", js)
    img = LEAFLET_DIR / "images"
    icons = (
        "\n(function(){var D=L.Icon.Default;D.imagePath='';"
        f"D.prototype.options.iconUrl='{_data_uri(img / 'marker-icon.png', 'image/png')}';"
        f"D.prototype.options.iconRetinaUrl='{_data_uri(img / 'marker-icon-2x.png', 'image/png')}';"
        f"D.prototype.options.shadowUrl='{_data_uri(img / 'marker-shadow.png', 'image/png')}';}})();\n"
    )
    return js + icons


@functools.cache
def leaflet_css() -> str:
    """The vendored Leaflet CSS with its images inlined as data URIs.

    Examples
    --------
    >>> css = leaflet_css()
    >>> "images/layers.png" in css, "data:image/png;base64," in css
    (False, True)
    """
    css = (LEAFLET_DIR / "leaflet.css").read_text(encoding="utf-8")

    def repl(m: re.Match[str]) -> str:
        url = m.group("url")
        if url.startswith("images/"):
            return f"url({_data_uri(LEAFLET_DIR / url, 'image/png')})"
        return m.group(0)

    return _CSS_URL.sub(repl, css)


def _classify(url: str) -> str:
    """'leaflet-js', 'leaflet-css', 'jquery', 'drop' or 'unknown'."""
    name = url.rsplit("/", 1)[-1].split("?", 1)[0].lower()
    low = url.lower()
    if name in ("leaflet.js", "leaflet-src.js"):
        return "leaflet-js"
    if name == "leaflet.css":
        return "leaflet-css"
    if "jquery" in name:
        return "jquery"
    if any(key in low for key in _DROP):
        return "drop"
    return "unknown"


def _safe_script(text: str) -> str:
    # an inline <script> ends at the first "</script"; vendored code never has one, but be safe
    return re.sub(r"</(script)", r"<\\/\1", text, flags=re.I)


def make_offline(page: str, *, strict: bool = True) -> str:
    """Rewrite a rendered folium page so that it makes no network request for code or styles.

    Parameters
    ----------
    page
        HTML as produced by ``folium.Map.get_root().render()``.
    strict
        If True (default), a script or stylesheet that cannot be inlined (an
        unknown plugin from a CDN) or the use of a dropped library raises
        :class:`~geo.errors.InputError`; if False it is left in place.

    Returns
    -------
    str
        The page with Leaflet inlined and the CDN extras removed.

    Examples
    --------
    >>> page = '<head><script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"></script>'
    >>> page += '<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/css/bootstrap.min.css"/>'
    >>> out = make_offline(page + '</head>')
    >>> external_references(out)
    []
    >>> "Leaflet 1.9.4" in out
    True
    """
    problems: list[str] = []

    def script_repl(m: re.Match[str]) -> str:
        url = m.group("url")
        kind = _classify(url)
        if kind == "leaflet-js":
            return "<script>" + _safe_script(leaflet_js()) + "</script>"
        if kind == "jquery":
            return "<script>" + JQUERY_SHIM + "</script>"
        if kind == "drop":
            return ""
        if _is_external(url):
            problems.append(url)
        return m.group(0)

    def link_repl(m: re.Match[str]) -> str:
        tag, url = m.group(0), m.group("url")
        if not re.search(r"""rel\s*=\s*["']?stylesheet""", tag, re.I):
            return tag
        kind = _classify(url)
        if kind == "leaflet-css":
            return "<style>" + leaflet_css() + "</style>"
        if kind == "drop":
            return ""
        if _is_external(url):
            problems.append(url)
        return tag

    out = _SCRIPT_SRC.sub(script_repl, page)
    out = _LINK_HREF.sub(link_repl, out)
    if strict:
        for marker, what in _USES_DROPPED.items():
            if marker in out:
                raise InputError(
                    f"the map uses {what}, which needs files from a CDN",
                    "use geo.maps markers (CircleMarker/DivIcon) instead of folium.Icon, or save with strict=False",
                )
        if problems:
            raise InputError(
                f"the map loads {len(problems)} resource(s) that cannot be inlined: {', '.join(problems[:3])}",
                "remove the folium plugin that adds them, or save with strict=False (the page then needs internet)",
            )
    return out


def _is_external(url: str) -> bool:
    u = url.strip().lower()
    return u.startswith(("http://", "https://", "//", "ftp://"))


def _is_fetch(url: str) -> bool:
    """True if a browser would fetch this URL (anything but inline data, fragments and scripts)."""
    u = url.strip().lower()
    return not (not u or u.startswith(("data:", "#", "javascript:", "about:", "blob:")))


class _RefScanner(HTMLParser):
    # tags whose src/href/poster/data attributes are fetched on load
    FETCH_ATTRS: ClassVar[dict[str, tuple[str, ...]]] = {
        "script": ("src",),
        "img": ("src", "srcset"),
        "iframe": ("src",),
        "frame": ("src",),
        "embed": ("src",),
        "object": ("data",),
        "source": ("src", "srcset"),
        "video": ("src", "poster"),
        "audio": ("src",),
        "track": ("src",),
        "input": ("src",),
        "image": ("href", "xlink:href"),
        "use": ("href", "xlink:href"),
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        tag = tag.lower()
        for name in self.FETCH_ATTRS.get(tag, ()):
            if a.get(name):
                urls = [p.strip().split(" ")[0] for p in a[name].split(",")] if name == "srcset" else [a[name]]
                self.refs.extend(u for u in urls if _is_fetch(u))
        if tag == "link" and a.get("href") and _is_fetch(a["href"]):
            rel = a.get("rel", "").lower()
            if any(r in rel for r in ("stylesheet", "icon", "preload", "prefetch", "modulepreload", "manifest")):
                self.refs.append(a["href"])
        if "style" in a:
            self.refs.extend(_css_refs(a["style"]))
        if tag == "iframe" and "srcdoc" in a:
            self.refs.extend(external_references(a["srcdoc"]))
        if tag == "style":
            self._in_style = True

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        if tag.lower() == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.refs.extend(_css_refs(data))


def _css_refs(css: str) -> list[str]:
    urls = [m.group("url") for m in _CSS_URL.finditer(css)]
    urls += [m.group("url") for m in _CSS_IMPORT.finditer(css)]
    return [u for u in urls if _is_fetch(u) and not u.lower().startswith("#default#")]


def external_references(page: str) -> list[str]:
    """URLs a browser would fetch when opening ``page`` (empty for a self-contained page).

    Scripts, stylesheets, images, frames and CSS ``url()``/``@import`` count;
    ``<a href>`` links do not. ``<iframe srcdoc>`` documents are scanned too.
    Relative URLs count as well: they fail when the file is moved or opened
    from an e-mail.

    Examples
    --------
    >>> external_references('<a href="https://www.openstreetmap.org/copyright">OSM</a>')
    []
    >>> external_references('<img src="https://x.org/a.png"><div style="background:url(b.png)"></div>')
    ['https://x.org/a.png', 'b.png']
    >>> external_references('<iframe srcdoc="&lt;script src=&quot;//cdn/x.js&quot;&gt;&lt;/script&gt;"></iframe>')
    ['//cdn/x.js']
    """
    scanner = _RefScanner()
    scanner.feed(page)
    scanner.close()
    return scanner.refs


def escape(value: object) -> str:
    """HTML-escape any value for text or attribute context (None -> empty string).

    Examples
    --------
    >>> escape("<script>alert('x')</script>")
    '&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;'
    """
    if value is None:
        return ""
    return _html.escape(str(value), quote=True)

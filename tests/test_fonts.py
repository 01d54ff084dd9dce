"""Chinese labels in static maps: the CJK font geo picks is installed and has Chinese glyphs.

This replaces what the doctest of ``geo.plot.cjk_font`` cannot say (its result depends on the machine):
when a CJK font file is installed (CI installs fonts-noto-cjk with ``make browser``), ``cjk_font`` must
find it, and the font it names must draw 西安.
"""

from __future__ import annotations

import re
from pathlib import Path

from geo.plot import cjk_font

_CJK_FILE = re.compile(r"(cjk|wqy|wenquanyi|sourcehan|simhei|msyh|ukai|uming)", re.I)


def test_cjk_font_is_found_when_installed_and_draws_chinese():
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    files = [f for f in font_manager.findSystemFonts() if _CJK_FILE.search(Path(f).name)]
    name = cjk_font()
    assert (name is None) == (not files), (name, files[:3])
    if name is not None:
        font = FT2Font(font_manager.findfont(name, fallback_to_default=False))
        assert all(font.get_char_index(ord(ch)) != 0 for ch in "西安柞水"), name

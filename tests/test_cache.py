"""geo._private.cache: one helper for every on-disk cache (key, path, load-or-build, atomic write)."""

from __future__ import annotations

import pickle

import pytest

from geo._private.cache import cache_path, cached_value, input_key


def _pickle_io():
    def load(p):
        with open(p, "rb") as fh:
            return pickle.load(fh)

    def save(tmp, value):
        with open(tmp, "wb") as fh:
            pickle.dump(value, fh)

    return load, save


def test_hit_miss_and_damaged_entry_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("GEO_CACHE_DIR", str(tmp_path))
    src = tmp_path / "in.txt"
    src.write_text("a")
    key = input_key([src], {"mode": "drive"}, salt="t1")
    path = cache_path("test", "in file", key, ".pickle")
    assert path.parent == tmp_path / "test" and " " not in path.name
    load, save = _pickle_io()
    calls = []

    def build():
        calls.append(1)
        return {"v": len(calls)}

    assert cached_value(path, build, load, save) == ({"v": 1}, False)
    assert cached_value(path, build, load, save) == ({"v": 1}, True)
    path.write_bytes(b"\x80\x04 truncated")  # a damaged entry: warned about and rebuilt
    with pytest.warns(UserWarning, match="rebuilding the cache entry"):
        assert cached_value(path, build, load, save) == ({"v": 2}, False)
    assert not list(path.parent.glob("*.tmp*"))
    # the key follows the content and the options, not the path alone
    assert input_key([src], {"mode": "walk"}, salt="t1") != key
    src.write_text("b")
    assert input_key([src], {"mode": "drive"}, salt="t1") != key


def test_a_bug_in_a_loader_surfaces(tmp_path):
    path = tmp_path / "x.pickle"
    path.write_bytes(pickle.dumps(1))

    def load(p):
        raise TypeError("a programming error")

    with pytest.raises(TypeError, match="programming error"):
        cached_value(path, lambda: 2, load, lambda tmp, v: None)

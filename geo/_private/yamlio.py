"""YAML loading that remembers line numbers, for error messages that point at a line.

Every mapping loaded by :func:`load_yaml` is a :class:`LineDict`, a ``dict``
with a ``line`` attribute (1-based line of its first key in the file).

Examples
--------
>>> d = loads_yaml("a: 1\\nb:\\n  c: 2\\n", "x.yaml")
>>> d["b"].line
3
>>> loads_yaml("a: [1, 2\\n", "bad.yaml")
Traceback (most recent call last):
...
geo.errors.InputError: bad.yaml line 2, column 1: YAML syntax error: ...
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from geo.errors import InputError


class LineDict(dict):
    """A dict that knows the line it started on (``.line``, 1-based; 0 if unknown)."""

    line: int = 0


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    out = LineDict()
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        out[key] = loader.construct_object(value_node, deep=True)
    out.line = node.start_mark.line + 1
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)  # type: ignore[arg-type]


def loads_yaml(text: str, name: str = "<string>") -> Any:
    """Parse YAML text; syntax errors become :class:`InputError` with the line."""
    try:
        return yaml.load(text, Loader=_Loader)  # SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{name} line {mark.line + 1}, column {mark.column + 1}" if mark else name
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        raise InputError(
            f"{where}: YAML syntax error: {problem}",
            "fix the indentation/brackets/quotes at that line (quote values containing ': ' or '#')",
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(f"{name}: YAML error: {exc}", "check the file is valid YAML") from None


def load_yaml(path: str | Path) -> Any:
    """Read and parse a YAML file; a missing file raises :class:`InputError`."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"file {str(p)!r} does not exist", "check the path (relative to the current folder)")
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{p}: not UTF-8 text", "save the file as UTF-8") from None
    return loads_yaml(text, str(p))


def where(name: str, obj: Any, what: str = "") -> str:
    """``"file.yaml line 12 (claim 'x')"`` for error messages."""
    line = getattr(obj, "line", 0)
    s = f"{name} line {line}" if line else name
    return f"{s} ({what})" if what else s

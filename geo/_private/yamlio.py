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

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from geo.errors import InputError, check_keys


class LineDict(dict):
    """A dict that knows the line it started on (``.line``, 1-based; 0 if unknown)."""

    line: int = 0


#: largest YAML file read (bytes); geo's claim, scenario, line and study files are a few kB
MAX_YAML_BYTES = 5 * 1024 * 1024
#: most values a file may expand to once its aliases (``*name``) are followed; a "billion laughs"
#: alias bomb is a few lines that expand exponentially
MAX_EXPANDED_NODES = 1_000_000


class _Loader(yaml.SafeLoader):
    """SafeLoader that remembers lines and refuses alias bombs."""

    def get_single_node(self) -> Any:
        node = super().get_single_node()
        if node is not None:
            _check_expansion(node)
        return node


class _AliasBombError(Exception):
    def __init__(self, mark: Any) -> None:
        self.mark = mark


def _check_expansion(root: yaml.Node) -> None:
    """Raise :class:`_AliasBombError` if ``root`` expands to more than MAX_EXPANDED_NODES values."""
    sizes: dict[int, int] = {}

    def size(node: yaml.Node, depth: int = 0) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        sizes[key] = 1  # a recursive alias counts once
        n = 1
        if isinstance(node, yaml.SequenceNode):
            n += sum(size(c, depth + 1) for c in node.value)
        elif isinstance(node, yaml.MappingNode):
            n += sum(size(k, depth + 1) + size(v, depth + 1) for k, v in node.value)
        if n > MAX_EXPANDED_NODES:
            raise _AliasBombError(node.start_mark)
        sizes[key] = n
        return n

    size(root)


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
    except _AliasBombError as exc:
        raise InputError(
            f"{name} line {exc.mark.line + 1}: its aliases (*name) expand to more than {MAX_EXPANDED_NODES:,} values "
            "(an alias bomb?)",
            "write the values out instead of nesting anchors and aliases",
        ) from None
    except RecursionError:
        raise InputError(f"{name}: YAML nested too deeply", "flatten the file (geo's YAML files are a few levels deep)") from None
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
    if p.is_dir():
        raise InputError(f"{str(p)!r} is a folder, not a YAML file", "pass the path of a .yaml file")
    if not p.is_file():
        raise InputError(f"file {str(p)!r} does not exist", "check the path (relative to the current folder)")
    size = p.stat().st_size
    if size > MAX_YAML_BYTES:
        raise InputError(
            f"{p} is {size / 1e6:.0f} MB; YAML files over {MAX_YAML_BYTES // (1024 * 1024)} MB are refused",
            "pass a claim/scenario/line/study file (a few kB); put bulk data in GeoJSON/CSV files it refers to",
        )
    try:
        text = p.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{p}: not UTF-8 text (byte {exc.start})", "save the file as UTF-8") from None
    if not text.strip():
        raise InputError(f"{p} is empty", "write the YAML content (see the examples in data/)")
    return loads_yaml(text, str(p))


def load_mapping(path: str | Path, keys: Iterable[str], what: str, fix: str) -> Mapping[str, Any]:
    """Read a YAML file that must be a mapping with only ``keys`` (a claim, scenario, study or line file).

    ``what`` names the file kind in the error (``"a scenario file"``), ``fix`` says how such a file starts.
    """
    data = load_yaml(path)
    if not isinstance(data, Mapping):
        raise InputError(f"{path}: {what} must be a mapping", fix)
    check_keys(data, keys, str(path))
    return data


def where(name: str, obj: Any, what: str = "") -> str:
    """``"file.yaml line 12 (claim 'x')"`` for error messages."""
    line = getattr(obj, "line", 0)
    s = f"{name} line {line}" if line else name
    return f"{s} ({what})" if what else s

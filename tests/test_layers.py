"""The import graph of geo has no cycles (every import counts, also those inside functions)."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

GEO = Path(__file__).resolve().parents[1] / "geo"


def _module_name(path: Path) -> str:
    parts = path.relative_to(GEO.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Module -> geo modules it imports (``from geo.x import y`` counts ``geo.x``, and ``geo.x.y`` if a module)."""
    files = {_module_name(p): p for p in GEO.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
                found |= {f"{node.module}.{a.name}" for a in node.names}
        graph[name] = {m for m in found if m in files and m != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    x = stack.pop()
                    on.discard(x)
                    comp.append(x)
                    if x == v:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def test_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_network_does_not_import_io():
    graph = import_graph()
    assert "geo.io" not in graph["geo.network"]
    assert "geo.network" in graph["geo.io"]  # io is the public face, above network
    assert {"geo.network", "geo.io", "geo"}.isdisjoint(graph["geo._private.netload"])


def test_no_import_cycles():
    assert cycles(import_graph()) == []


def _layers_contract() -> list[str]:
    config = tomllib.loads((GEO.parent / "pyproject.toml").read_text(encoding="utf-8"))
    (contract,) = [c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    return [name.strip().strip("()") for layer in contract["layers"] for name in layer.split("|")]  # (optional)


def test_every_module_has_a_floor():
    """import-linter checks only the modules a layers contract names: a new module must be given a floor."""
    listed = _layers_contract()
    packages = {"geo", "geo._private"}
    unlisted = [m for m in sorted(import_graph()) if m not in packages
                and not any(m == name or m.startswith(name + ".") for name in listed)]  # fmt: skip
    assert unlisted == [], f"add {unlisted} to the layers contract in pyproject.toml and to docs/architecture.md"
    assert len(listed) == len(set(listed))


#: libraries a function may import where it uses them: optional extras (dask), platform modules, and heavy
#: libraries only one code path needs (each 0.1-0.6 s; at module top `import geo` and `geo --help` took 1.7x
#: as long). Everything else is imported at module top.
LAZY_LIBRARIES = {
    "osmnx", "requests",  # downloads only
    "distributed", "dask", "dask_geopandas", "pyarrow", "psutil",  # the optional 'dask' extra
    "resource",  # Unix only
    "scipy", "rasterio", "pyogrio", "geopandas", "shapely", "pyproj",  # heavy: kept out of `import geo` / --help
    "matplotlib", "folium", "branca", "jinja2",  # renderers
}  # fmt: skip
#: modules still importing geo modules inside functions (owned by other branches when the rule came in);
#: remove a name once its module is clean
LOCAL_GEO_IMPORTS_ALLOWED: set[str] = set()


def function_local_imports() -> list[tuple[str, int, str]]:
    """(module, line, imported module) for every import statement inside a function body."""
    out = []
    for path in sorted(GEO.rglob("*.py")):
        name = _module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in ast.walk(tree):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for node in ast.walk(fn):
                    if isinstance(node, ast.Import):
                        out += [(name, node.lineno, a.name) for a in node.names]
                    elif isinstance(node, ast.ImportFrom):
                        out.append((name, node.lineno, node.module or ""))
    return sorted(set(out))


def test_imports_are_at_module_top():
    found = function_local_imports()
    geo_inside = [f"{m}:{line} {imp}" for m, line, imp in found
                  if imp.split(".")[0] == "geo" and m not in LOCAL_GEO_IMPORTS_ALLOWED]  # fmt: skip
    assert geo_inside == [], "import geo modules at module top (a cycle means a function is on the wrong floor)"
    other = [f"{m}:{line} {imp}" for m, line, imp in found
             if imp.split(".")[0] not in {"geo", *LAZY_LIBRARIES} and m not in LOCAL_GEO_IMPORTS_ALLOWED]  # fmt: skip
    assert other == [], "import these at module top, or add the library to LAZY_LIBRARIES with the reason"


def test_import_geo_stays_light():
    """The libraries LAZY_LIBRARIES keeps out of `import geo` (0.4 s; 0.66 s with them at module top)."""
    heavy = ["osmnx", "geopandas", "scipy.sparse", "scipy.ndimage", "rasterio", "pyogrio", "matplotlib", "folium"]
    code = f"import sys, geo; print([m for m in {heavy!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=GEO.parent)
    assert out.stdout.strip() == "[]", f"`import geo` now imports {out.stdout.strip()}: import them where they are used"

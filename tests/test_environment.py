"""environment.yml (conda) and pyproject.toml (pip) list the same packages with the same lower bounds."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
#: conda-forge names of packages whose pip name differs
CONDA_TO_PIP = {"pyosmium": "osmium", "python-igraph": "igraph"}


def _split(req: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", req)
    assert m, req
    return m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")


def test_conda_environment_matches_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pip = dict(_split(r) for r in [*project["dependencies"], *project["optional-dependencies"]["dev"]])
    env = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    conda = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str):
            name, spec = _split(dep)
            if name not in ("python", "pip"):
                conda[CONDA_TO_PIP.get(name, name)] = spec
        elif isinstance(dep, dict):  # packages not on conda-forge, installed by pip inside the env
            for req in dep.get("pip", []):
                if not req.startswith("-"):
                    name, spec = _split(req.split("#")[0])
                    conda[name] = spec
    assert conda == pip
    assert "conda-forge" in env["channels"]
    assert any(isinstance(d, dict) and "-e ." in d.get("pip", []) for d in env["dependencies"])

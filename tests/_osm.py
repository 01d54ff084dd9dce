"""OSM XML fixtures built in code (shared by the loader tests)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def osm_xml(nodes: Mapping[int, tuple[float, float]], ways: Iterable[tuple[int, list[int], Mapping[str, str]]]) -> str:
    """An ``.osm`` document: ``nodes`` {id: (lon, lat)}, ``ways`` [(id, node refs, tags)]."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">']
    for nid, (lon, lat) in nodes.items():
        lines.append(f'  <node id="{nid}" version="1" lat="{lat}" lon="{lon}"/>')
    for wid, refs, tags in ways:
        lines.append(f'  <way id="{wid}" version="1">')
        lines += [f'    <nd ref="{r}"/>' for r in refs]
        lines += [f'    <tag k="{k}" v="{v}"/>' for k, v in tags.items()]
        lines.append("  </way>")
    lines.append("</osm>")
    return "\n".join(lines)

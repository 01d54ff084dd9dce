"""Argument parsing helpers shared by the subcommands."""

from __future__ import annotations

import argparse
from pathlib import Path

from geo.errors import InputError


def parse_minutes(text: str, option: str = "--minutes") -> list[float]:
    """Parse ``"5,10,15"`` into sorted positive minutes.

    Examples
    --------
    >>> parse_minutes("15,5,10")
    [5.0, 10.0, 15.0]
    >>> parse_minutes("5,-1")
    Traceback (most recent call last):
    ...
    geo.errors.InputError: --minutes must be positive numbers, got '-1'. Fix: pass e.g. --minutes 5,10,15
    """
    out = []
    for part in str(text).split(","):
        part = part.strip()
        if not part:
            continue
        try:
            v = float(part)
        except ValueError:
            raise InputError(f"{option} must be numbers, got {part!r}", f"pass e.g. {option} 5,10,15") from None
        if not v > 0 or v != v or v == float("inf"):
            raise InputError(f"{option} must be positive numbers, got {part!r}", f"pass e.g. {option} 5,10,15")
        out.append(v)
    if not out:
        raise InputError(f"{option} is empty", f"pass e.g. {option} 5,10,15")
    return sorted(set(out))


def parse_lonlat(text: str, option: str = "--origin") -> tuple[float, float]:
    """Parse ``"LON,LAT"``.

    Examples
    --------
    >>> parse_lonlat("112.58,37.8563")
    (112.58, 37.8563)
    """
    parts = [p.strip() for p in str(text).split(",")]
    try:
        lon, lat = (float(p) for p in parts)
    except ValueError:
        raise InputError(f"{option} must be LON,LAT, got {text!r}", f"pass e.g. {option} 112.5800,37.8563") from None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InputError(
            f"{option} {text!r} is outside lon -180..180 / lat -90..90",
            "give longitude first, then latitude, in degrees",
        )
    return lon, lat


def existing_file(text: str, option: str = "--network") -> Path:
    p = Path(text).expanduser()
    if not p.exists():
        raise InputError(f"{option} file {str(p)!r} does not exist", "check the path (it is relative to the current folder)")
    return p


def add_progress_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks on errors")
    parser.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help="no progress output")

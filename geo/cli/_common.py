"""Argument parsing helpers shared by the subcommands."""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
from pathlib import Path

from geo.errors import InputError

#: largest travel-time threshold accepted on the command line (minutes)
MAX_MINUTES = 24 * 60


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
        if v > MAX_MINUTES:
            raise InputError(f"{option} must be at most {MAX_MINUTES:g} (a day), got {part!r}", f"pass e.g. {option} 5,10,15")
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


def output_dir(text: str, option: str = "--out", created: list[Path] | None = None) -> Path:
    """Create output folder ``text`` (with parents) and check it can be written to.

    Folders this call creates are appended to ``created`` so that a run that
    fails later can remove them again (:func:`remove_if_empty`).

    Raises
    ------
    InputError
        ``text`` is an existing file, lies under a file, or cannot be created
        or written to (read-only place).

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> output_dir(os.path.join(d, "a", "b")).is_dir()
    True
    >>> f = os.path.join(d, "f.txt"); _ = open(f, "w").write("x")
    >>> output_dir(f)
    Traceback (most recent call last):
    ...
    geo.errors.InputError: --out '...f.txt' is an existing file, not a folder. Fix: ...
    """
    p = Path(text).expanduser()
    if p.exists() and not p.is_dir():
        raise InputError(
            f"{option} {str(p)!r} is an existing file, not a folder",
            f"pass a folder (created if missing), e.g. {option} out/run1",
        )
    missing = []
    anc = p
    while not anc.exists() and anc != anc.parent:
        missing.append(anc)
        anc = anc.parent
    if not anc.is_dir():
        raise InputError(f"{option} {str(p)!r} cannot be created: {str(anc)!r} is a file", "choose a folder path that does not run through a file")
    try:
        p.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=p):
            pass
    except OSError as exc:
        for d in missing:
            remove_if_empty(d)
        raise InputError(
            f"{option} {str(p)!r} cannot be written: {exc.strerror or exc}",
            "choose a folder you can write to (not read-only), or create it first",
        ) from None
    if created is not None:
        created.extend(reversed(missing))
    return p


def output_file(text: str, option: str) -> Path:
    """Check that file ``text`` can be written: not a folder, in an existing writable folder."""
    p = Path(text).expanduser()
    if p.is_dir():
        raise InputError(f"{option} {str(p)!r} is a folder", f"pass a file name, e.g. {option} {p / 'out.csv'}")
    parent = p.parent
    if not parent.is_dir():
        raise InputError(f"{option} {str(p)!r}: folder {str(parent)!r} does not exist", "create the folder first, or write into an existing one")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(f"{option} {str(p)!r}: folder {str(parent)!r} is read-only", "choose a folder you can write to")
    return p


def remove_if_empty(path: Path) -> None:
    """Remove ``path`` if it is an empty folder (quietly)."""
    with contextlib.suppress(OSError):
        path.rmdir()


def refuse_options(args: argparse.Namespace, options: dict[str, object], context: str, fix: str) -> None:
    """Raise :class:`InputError` if any of ``options`` (``"--name": default``) was given a non-default value.

    For options that do nothing in the chosen mode: using them must not pass silently.
    """
    for opt, default in options.items():
        value = getattr(args, opt.lstrip("-").replace("-", "_"), default)
        if value not in (default, None, [], ()):
            raise InputError(f"{opt} has no effect {context}", fix)


def add_progress_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks on errors")
    parser.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help="no progress output")

"""Fit the rail run-time model on the shared Shaanxi timetables and print the leave-one-corridor-out table.

    PYTHONPATH=. python scripts/calibrate_rail.py            # fit, cross-validate, print
    PYTHONPATH=. python scripts/calibrate_rail.py --write    # ... and update geo/data/rail_calibration.json

Same as ``geo rail calibrate``; the table is the one quoted in docs/rail.md.
"""

from __future__ import annotations

import sys

from geo.cli import main

if __name__ == "__main__":
    sys.exit(main(["rail", "calibrate", *sys.argv[1:]]))

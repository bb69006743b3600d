"""Importing a force-year of police.uk street data: one 300,000-row street file through
``manage.py import_police_crime`` (check, then load by COPY, swapped in), beside the
baseline of Python's csv module reading the same file and nothing else. Each runs in a
process of its own, so its peak memory (max RSS) is its own.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/signpost_bench \\
        .venv/bin/python bench/crime_import.py [--rows 300000]
"""

import argparse
import csv
import datetime
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evaluation.police_uk import HEADER, street_file_name  # noqa: E402

TYPES = ["Anti-social behaviour", "Drugs", "Violence and sexual offences", "Burglary"]


def write_file(path: Path, rows: int) -> None:
    rng = random.Random(30)
    month = datetime.date(2024, 3, 1)
    with open(path, "w", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(HEADER)
        for i in range(rows):
            crime_type = rng.choice(TYPES)
            writer.writerow(
                [
                    "" if crime_type == TYPES[0] else f"{i:064x}",
                    f"{month:%Y-%m}",
                    "Bench Constabulary",
                    "Bench Constabulary",
                    f"{rng.uniform(-2.1, -1.9):.6f}",
                    f"{rng.uniform(52.9, 53.0):.6f}",
                    "On or near Bench Street",
                    f"E01{rng.randrange(1_000_000):06d}",
                    "Bench 001A",
                    crime_type,
                    "",
                    "",
                ]
            )


def timed(command: list[str]) -> tuple[float, float]:
    """Seconds and the child's peak memory in MB."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before) / 1024


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=300_000)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (migrated).")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / street_file_name(datetime.date(2024, 3, 1), "bench")
        write_file(path, args.rows)
        size = path.stat().st_size / 1e6
        reading = (
            "import csv,sys\n"
            "with open(sys.argv[1], newline='', encoding='utf-8-sig') as f:\n"
            "    n = sum(1 for _ in csv.reader(f))\n"
        )
        base_s, base_mb = timed([sys.executable, "-c", reading, str(path)])
        # Signpost's process before it reads a row (Django, Wagtail and the apps loaded).
        signpost_mb = timed([sys.executable, "manage.py", "check"])[1]
        command = [sys.executable, "manage.py", "import_police_crime", str(path)]
        import_s, import_mb = timed(command)
        again_s, again_mb = timed(command)  # the same month again: replaces it
    print(f"file: {args.rows:,} rows, {size:.0f} MB")
    print(
        f"csv module reading alone : {base_s:6.2f} s  {args.rows / base_s:>9,.0f} rows/s  peak {base_mb:5.0f} MB"
    )
    print(
        f"import (first)           : {import_s:6.2f} s  {args.rows / import_s:>9,.0f} rows/s  peak {import_mb:5.0f} MB"
    )
    print(
        f"import (replacing)       : {again_s:6.2f} s  {args.rows / again_s:>9,.0f} rows/s  peak {again_mb:5.0f} MB"
    )
    print(f"import / reading alone   : {import_s / base_s:6.1f}x the time")
    print(f"manage.py check (Signpost loaded, no rows): peak {signpost_mb:.0f} MB")
    print(f"memory the import adds to it: {import_mb - signpost_mb:.0f} MB")


if __name__ == "__main__":
    main()

"""Per-household leaflets as one PDF: pages per second and peak memory.

Renders N A5 leaflets, each with its own household code and QR code, through the same
batched pipeline the print-run task uses (WeasyPrint lays out batches of 100; each
batch's PDF is copied onto the end of the output file before the next is laid out),
and compares it, in the same run, with rendering each leaflet separately with
WeasyPrint (one HTML document and one PDF per leaflet). Each mode runs in its own
process so its peak memory is its own: the larger of the process's max RSS and that of
any process it started.

    .venv/bin/python bench/print_leaflets.py                 # 5,000 leaflets; baseline on 200
    .venv/bin/python bench/print_leaflets.py --count 500 --baseline-sample 50

The per-leaflet baseline is measured on a sample and extrapolated to N (it scales
linearly: every leaflet is a fresh, independent render).
"""

import argparse
import json
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"


def setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "signpost.settings.dev")
    os.environ.setdefault("SIGNPOST_BASE_URL", "https://safer.example.org")
    import django

    django.setup()


def fixtures():
    from signpost.models import InitiativeSettings

    from engagement.models import Area, Operation
    from printing.models import FORMATS, Kind, PrintFormat, PrintTemplate

    template = PrintTemplate(
        name="Bench",
        kind=Kind.LEAFLET,
        headline="Police are working in your area",
        what_is_happening=(
            "<p>Police, the council and local services are closing down open drug dealing on "
            "these streets. You may see more officers over the coming weeks.</p>"
        ),
        what_residents_can_do=(
            "<ul><li>Tell us how safe you feel.</li><li>Pass on what you know, safely.</li></ul>"
        ),
        qr_call_to_action="Scan to tell us how safe you feel",
    )
    initiative = InitiativeSettings(
        name="Safer Harbridge",
        strapline="Closing down drug dealing, opening up help",
        contact_phone="01632 960 123",
        report_information_text="<p>Crimestoppers anonymously on 0800 555 111.</p>",
        help_with_drugs_text="<p>Harbridge Recovery Service, 01632 960 456.</p>",
    )
    context = {
        "template": template,
        "operation": Operation(name="Operation Lantern", slug="operation-lantern"),
        "area": Area(name="Canal Quarter", slug="canal-quarter", household_count=1585),
        "initiative": initiative,
        "newsletter": None,
    }
    return FORMATS[PrintFormat.A5_LEAFLET_ONE_SIDED], context


def items(count: int):
    from printing.rendering import PrintItem

    for number in range(1, count + 1):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        yield PrintItem(
            qr_url=f"https://safer.example.org/q/K7M2QF?c={code}",
            short_address="safer.example.org/q/K7M2QF",
            number=number,
            household_code=f"{code[:4]}-{code[4:]}",
        )


def run_batched(count: int) -> dict:
    from printing.rendering import render_items_to_file

    spec, context = fixtures()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "run.pdf")
        started = time.perf_counter()
        pages = render_items_to_file(
            spec=spec, items=items(count), total=count, path=path, **context
        )
        elapsed = time.perf_counter() - started
        size = os.path.getsize(path)
    return {"pages": pages, "seconds": elapsed, "bytes": size}


def run_separately(count: int) -> dict:
    from signpost.pdf import render_html

    from printing.rendering import render_print_html

    spec, context = fixtures()
    pages = 0
    size = 0
    started = time.perf_counter()
    for item in items(count):
        document = render_html(render_print_html(spec=spec, items=[item], **context))
        pages += len(document.pages)
        size += len(document.write_pdf())
    elapsed = time.perf_counter() - started
    return {"pages": pages, "seconds": elapsed, "bytes": size}


def child(mode: str, count: int) -> None:
    setup_django()
    result = {"batched": run_batched, "separately": run_separately}[mode](count)
    # ru_maxrss is in KiB on Linux. Children would count if the pipeline ever started
    # any (a PDF tool, say); today it starts none.
    result["peak_rss_mb"] = (
        max(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        )
        / 1024
    )
    print(json.dumps(result))


def measure(mode: str, count: int) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--count", str(count)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--baseline-sample", type=int, default=200)
    parser.add_argument(
        "--memory-check",
        type=int,
        default=1000,
        help="also run the batched pipeline at this size to show memory stays flat",
    )
    parser.add_argument("--child", choices=["batched", "separately"])
    args = parser.parse_args()
    if args.child:
        child(args.child, args.count)
        return

    print(f"{args.count:,} A5 leaflets, each with its own household code and QR code")
    sample = min(args.baseline_sample, args.count)
    base = measure("separately", sample)
    base_rate = base["pages"] / base["seconds"]
    print(
        f"  each leaflet rendered separately (sample of {sample:,}): {base_rate:.1f} pages/s, "
        f"peak {base['peak_rss_mb']:.0f} MB; {args.count:,} would take "
        f"{args.count / base_rate:.0f} s (extrapolated) and give {args.count:,} files"
    )
    if args.memory_check and args.memory_check < args.count:
        small = measure("batched", args.memory_check)
        print(
            f"  batched pipeline, {small['pages']:,} pages: {small['pages'] / small['seconds']:.1f} "
            f"pages/s, peak {small['peak_rss_mb']:.0f} MB"
        )
    full = measure("batched", args.count)
    rate = full["pages"] / full["seconds"]
    print(
        f"  batched pipeline, {full['pages']:,} pages in one PDF "
        f"({full['bytes'] / 1e6:.1f} MB): {full['seconds']:.0f} s, {rate:.1f} pages/s, "
        f"peak {full['peak_rss_mb']:.0f} MB"
    )
    print(f"  ratio: {rate / base_rate:.2f}x the pages per second of separate renders")


if __name__ == "__main__":
    main()

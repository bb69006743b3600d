"""Per-household leaflets as one PDF: pages per second, peak memory, file size, QR codes.

Renders N A5 leaflets, each with its own household code and QR code, through the
print-run pipeline (WeasyPrint lays the page out once; each leaflet's page draws it as
one shared Form XObject and adds its own vector QR code and texts; parts of 2,000 are
stamped to their own files and joined), at 1,000, 5,000 and 10,000 leaflets, and
compares it, in the same run, with rendering each leaflet separately with WeasyPrint
(one HTML document and one PDF per leaflet). Each mode and size runs in its own process
so its peak memory (max RSS) is its own. After timing, a sample of pages is rendered at
150 dpi and read with zbarimg; each code must decode to its own leaflet's address.

    .venv/bin/python bench/print_leaflets.py                 # 1,000 / 5,000 / 10,000
    .venv/bin/python bench/print_leaflets.py --counts 500 --baseline-sample 50

The per-leaflet baseline is measured on a sample and extrapolated (it scales linearly:
every leaflet is a fresh, independent render).
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # as surveys.services


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
    """The same leaflets in every process (seeded), so expected addresses can be checked."""
    import random

    from printing.rendering import PrintItem

    chooser = random.Random(20261201)  # noqa: S311 (bench data, not secrets)
    for number in range(1, count + 1):
        code = "".join(chooser.choice(CODE_ALPHABET) for _ in range(8))
        yield PrintItem(
            qr_url=f"https://safer.example.org/q/K7M2QF?c={code}",
            short_address="safer.example.org/q/K7M2QF",
            number=number,
            household_code=f"{code[:4]}-{code[4:]}",
        )


def run_stamped(count: int) -> dict:
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
        peak = peak_rss_mb()
        sampled, decoded = check_qr_codes(path, count)
    return {
        "pages": pages,
        "seconds": elapsed,
        "bytes": size,
        "peak_rss_mb": peak,
        "sampled": sampled,
        "decoded": decoded,
    }


def check_qr_codes(path: str, count: int, sample: int = 20) -> tuple[int, int]:
    """Render ``sample`` pages spread over the run at 150 dpi; count those whose one QR
    code zbarimg reads as that leaflet's own address."""
    expected = [item.qr_url for item in items(count)]
    numbers = sorted({1 + (count - 1) * i // (sample - 1) for i in range(sample)})
    right = 0
    with tempfile.TemporaryDirectory() as tmp:
        for number in numbers:
            prefix = os.path.join(tmp, f"p{number}")
            subprocess.run(
                [
                    "pdftoppm",
                    "-r",
                    "150",
                    "-png",
                    "-f",
                    str(number),
                    "-l",
                    str(number),
                    path,
                    prefix,
                ],
                check=True,
            )
            image = next(Path(tmp).glob(f"p{number}-*.png"))
            found = subprocess.run(
                ["zbarimg", "-q", "--raw", str(image)], capture_output=True, text=True
            ).stdout.split()
            right += found == [expected[number - 1]]
            image.unlink()
    return len(numbers), right


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
    return {"pages": pages, "seconds": elapsed, "bytes": size, "peak_rss_mb": peak_rss_mb()}


def peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux. The pipeline starts no process while it renders.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(mode: str, count: int) -> None:
    setup_django()
    result = {"stamped": run_stamped, "separately": run_separately}[mode](count)
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
    parser.add_argument("--counts", default="1000,5000,10000")
    parser.add_argument("--baseline-sample", type=int, default=100)
    parser.add_argument("--child", choices=["stamped", "separately"])
    parser.add_argument("--count", type=int, default=0)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.count)
        return

    counts = [int(c) for c in args.counts.split(",")]
    print("A5 leaflets, each with its own household code and QR code")
    base = measure("separately", args.baseline_sample)
    base_rate = base["pages"] / base["seconds"]
    print(
        f"  each leaflet rendered separately (sample of {args.baseline_sample:,}): "
        f"{base_rate:.1f} pages/s, peak {base['peak_rss_mb']:.0f} MB, "
        f"{base['bytes'] / base['pages'] / 1e3:.1f} kB a page; "
        + "; ".join(f"{c:,} would take {c / base_rate:.0f} s" for c in counts)
        + " (extrapolated)"
    )
    for count in counts:
        run = measure("stamped", count)
        rate = run["pages"] / run["seconds"]
        print(
            f"  laid out once, stamped: {run['pages']:,} pages in one PDF of "
            f"{run['bytes'] / 1e6:.1f} MB ({run['bytes'] / run['pages'] / 1e3:.2f} kB a page) "
            f"in {run['seconds']:.1f} s = {rate:.0f} pages/s, peak {run['peak_rss_mb']:.0f} MB, "
            f"QR codes right {run['decoded']}/{run['sampled']}; "
            f"{rate / base_rate:.1f}x separate renders"
        )


if __name__ == "__main__":
    main()

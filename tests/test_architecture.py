"""The contract type behind "apps use each other only through their models, services and
selectors" (tests/architecture.py), checked on small import graphs: it must refuse what
it says it refuses, or `make lint` would pass anything."""

import ast
from pathlib import Path

import grimp

from tests.architecture import PublicModulesContract


def contract(**options):
    return PublicModulesContract(
        name="public modules",
        session_options={},
        contract_options={
            "apps": ["engagement", "printing", "reports"],
            "public": ["models", "services", "selectors", "*.models", "*.services", "*.selectors"],
            **options,
        },
    )


def graph(*imports):
    built = grimp.ImportGraph()
    for importer, imported in imports:
        built.add_import(
            importer=importer, imported=imported, line_number=3, line_contents=f"import {imported}"
        )
    return built


def test_public_modules_of_another_app_and_anything_inside_an_app_are_allowed():
    check = contract().check(
        graph(
            ("reports.selectors", "printing.selectors"),
            ("reports.selectors", "engagement.stakeholders.selectors"),
            ("printing.services", "engagement.models"),
            ("engagement.press.services", "engagement.press.tasks"),
        ),
        verbose=False,
    )
    assert check.kept


def test_another_apps_internal_module_is_refused_with_where():
    check = contract().check(
        graph(
            ("reports.selectors", "printing.rendering"),
            ("printing.services", "engagement.stakeholders.grid"),
        ),
        verbose=False,
    )
    assert not check.kept
    assert check.metadata["illegal"] == [
        ("printing.services", "engagement.stakeholders.grid", [3]),
        ("reports.selectors", "printing.rendering", [3]),
    ]


def test_an_ignored_import_is_allowed_and_only_that_one():
    check = contract(ignore_imports=["signpost.urls -> printing.views"]).check(
        graph(("signpost.urls", "printing.views"), ("signpost.admin", "printing.views")),
        verbose=False,
    )
    assert check.metadata["illegal"] == [("signpost.admin", "printing.views", [3])]


APPS = ["site", "engagement", "newsletters", "printing", "surveys", "reports", "neighbourhoods"]
ROOT = Path(__file__).resolve().parent.parent
# Where Django's mail may be used directly: the one edge every email goes through, the
# development mailbox (a mail backend) and a campaign's batch sender (the ESP's backend).
MAIL_EDGE = {"site/mail.py", "site/dev_mail.py"}
MAIL_BACKENDS = "newsletters/campaign_backends/"


def app_modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text())


def imported_modules(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def test_every_email_goes_out_through_the_one_edge():
    """Emails are built and sent by ``signpost.mail`` (one-line subjects, the sender, the
    HTML part, locked-and-stamped notices to a role), never with Django's mail directly."""
    direct = [
        path
        for path, tree in app_modules()
        if path not in MAIL_EDGE
        and not path.startswith(MAIL_BACKENDS)
        and any(module.startswith("django.core.mail") for module in imported_modules(tree))
    ]
    assert direct == []


def test_one_admin_shape_everywhere():
    """Viewsets are defined in ``viewsets.py``, and ``wagtail_hooks.py`` only registers:
    it defines no class and decides nothing (no ``if``, loop or ``try``); custom views
    live in ``views.py``, admin URLs in ``admin_urls.py``."""
    misplaced, deciding = [], []
    for path, tree in app_modules():
        name = path.rpartition("/")[2]
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases = [ast.unparse(base) for base in node.bases]
                is_viewset = any(base.endswith(("ViewSet", "ViewSetGroup")) for base in bases)
                # The project package's choosers module holds the viewsets' shared base.
                elsewhere = is_viewset and name != "viewsets.py" and not path.startswith("site/")
                if name == "wagtail_hooks.py" or elsewhere:
                    misplaced.append(f"{path}: {node.name}")
            if name == "wagtail_hooks.py" and isinstance(
                node, (ast.If, ast.For, ast.While, ast.Try, ast.IfExp)
            ):
                deciding.append(f"{path}:{node.lineno}")
    assert misplaced == []
    assert deciding == []

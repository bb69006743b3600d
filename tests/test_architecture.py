"""The contract type behind "apps use each other only through their models, services and
selectors" (tests/architecture.py), checked on small import graphs: it must refuse what
it says it refuses, or `make lint` would pass anything."""

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

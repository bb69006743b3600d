"""An import-linter contract type for Signpost's apps (``make lint`` runs it): an app uses
another only through that app's public modules, its ``models``, ``services`` and
``selectors`` (for engagement, those of each sub-package too), so a change inside one app
cannot break another at a distance."""

import fnmatch

from importlinter import Contract, ContractCheck, fields, output


class PublicModulesContract(Contract):
    """``apps``: the apps to protect; ``public``: the module patterns, relative to an app,
    that other apps may import; ``ignore_imports``: ``importer -> imported`` pairs allowed
    all the same (the project's URLconf, say)."""

    type_name = "public_modules"

    apps = fields.ListField(subfield=fields.StringField())
    public = fields.ListField(subfield=fields.StringField())
    ignore_imports = fields.ListField(subfield=fields.StringField(), required=False)

    def check(self, graph, verbose: bool) -> ContractCheck:
        apps = set(self.apps)
        ignored = {
            tuple(part.strip() for part in pair.split("->")) for pair in self.ignore_imports or []
        }
        illegal = []
        for importer in sorted(graph.modules):
            importer_app = importer.split(".")[0]
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                app, _, inside = imported.partition(".")
                if app not in apps or app == importer_app or not inside:
                    continue
                if any(fnmatch.fnmatchcase(inside, pattern) for pattern in self.public):
                    continue
                if (importer, imported) in ignored:
                    continue
                lines = [
                    detail["line_number"]
                    for detail in graph.get_import_details(importer=importer, imported=imported)
                ]
                illegal.append((importer, imported, lines))
        return ContractCheck(kept=not illegal, metadata={"illegal": illegal})

    def render_broken_contract(self, check: ContractCheck) -> None:
        output.print_error("Imports of another app's internal modules:", bold=False)
        output.new_line()
        for importer, imported, lines in check.metadata["illegal"]:
            output.print_error(
                f"- {importer} -> {imported} (l.{', '.join(map(str, lines))})", bold=False
            )
        output.new_line()
        output.print("Use that app's models, services or selectors, or add what you need to them.")

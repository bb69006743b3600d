"""The census import page: upload a Nomis CSV for one area and question."""

from django.contrib import messages
from django.shortcuts import redirect
from django.views.generic import FormView
from signpost.admin_permissions import require_permission
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from .census_import import CensusImportError
from .forms import CensusImportForm
from .selectors import population_problems
from .services import population_census_import

IMPORT_PERMISSION = "surveys.change_populationmargins"


class CensusImportView(WagtailAdminTemplateMixin, FormView):
    page_title = "Import census figures"
    header_icon = "upload"
    template_name = "surveys/admin/census_import.html"
    form_class = CensusImportForm

    def dispatch(self, request, *args, **kwargs):
        require_permission(request, IMPORT_PERMISSION)
        require_permission(request, "surveys.add_populationmargins")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        codes = form.cleaned_data["geography_codes"]
        try:
            margins, margin = population_census_import(
                area=form.cleaned_data["area"],
                key=form.cleaned_data["question"],
                data=form.cleaned_data["file"].read(),
                geography_codes=codes or None,
                user=self.request.user,
            )
        except CensusImportError as error:
            for problem in error.problems:
                form.add_error("file", problem)
            return self.form_invalid(form)
        total = sum(margin.counts.values())
        messages.success(
            self.request,
            f"{margins.area}: {margin.title}, {margin.rows:,} census area"
            f"{'' if margin.rows == 1 else 's'} added up, {total:,} in all. "
            + " ".join(margin.notes),
        )
        errors, warnings = population_problems(margins)
        for problem in errors + warnings:
            messages.warning(self.request, problem)
        return redirect("surveys_population:edit", margins.pk)

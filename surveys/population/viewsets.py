"""The analyst's register of the areas' population margins."""

from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet

from .forms import PopulationMarginsForm
from .models import PopulationMargins
from .selectors import population_margins_listing, population_problems


class CheckColumn(Column):
    """Whether the margins add up, or the first thing wrong."""

    def get_value(self, instance):
        errors, warnings = population_problems(instance)
        problems = errors + warnings
        if not problems:
            return "Adds up"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return problems[0] + more


class PopulationMarginsViewSet(ModelViewSet):
    model = PopulationMargins
    icon = "group"
    name = "surveys_population"
    url_prefix = "surveys/population"
    menu_label = "Population margins"
    menu_order = 253
    add_to_admin_menu = True
    edit_handler = ObjectList(PopulationMargins.panels, base_form_class=PopulationMarginsForm)
    list_display = ["area", "source", "updated_on", CheckColumn("check", label="Check")]
    inspect_view_enabled = True
    copy_view_enabled = False

    def get_queryset(self, request):
        return population_margins_listing()

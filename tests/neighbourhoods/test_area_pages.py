"""Residents' area pages: the postcode finder, what each area page shows, the rule that
updates never point at a household, and the page's fixed query budget."""

import datetime

import pytest
from django.utils import timezone
from wagtail.models import PageViewRestriction
from wagtail.test.utils.form_data import nested_form_data, rich_text

from engagement.models import Operation
from neighbourhoods.models import AreaPage, AreaUpdatePage, identifying_details
from surveys.models import SurveyWave
from tests.factories import AreaFactory

from .factories import (
    area_page_create,
    area_update_create,
    newsletter_create,
    press_release_create,
    public_site_create,
)

pytestmark = pytest.mark.django_db

# With the site in several languages: Wagtail finds the language being read, the switcher
# finds the page's translations, and listed pages are marked by their locales' codes
# (read once a process; each test starts afresh): one query each.
AREA_PAGE_QUERY_BUDGET = 23


@pytest.fixture
def site():
    return public_site_create()


# --- The postcode finder --------------------------------------------------------------


@pytest.mark.parametrize("typed", ["HB4 2AB", "hb42ab", " hb4  2ab "])
def test_a_postcode_in_an_area_leads_to_its_page(client, site, typed):
    response = client.get("/areas/", {"postcode": typed})
    assert response.status_code == 302
    assert response["Location"] == "/areas/eastfield/"


def test_a_postcode_outside_every_area_gets_a_helpful_answer(client, site):
    response = client.get("/areas/", {"postcode": "ZZ9 9ZZ"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "ZZ9 9ZZ is outside our areas" in html
    assert 'href="/newsletters/subscribe/"' in html
    assert 'value="ZZ9 9ZZ"' in html  # the box keeps what was typed, to try again
    assert 'href="/areas/eastfield/"' in html and 'href="/areas/canal-quarter/"' in html


def test_a_postcode_in_an_area_without_a_page_offers_that_areas_updates(client, site):
    response = client.get("/areas/", {"postcode": "HB2 7NN"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "HB2 7NN is in Northgate" in html
    assert 'href="/newsletters/subscribe/?area=northgate"' in html


@pytest.mark.parametrize("typed", ["", "HB4", "not a postcode", "<script>"])
def test_something_that_is_not_a_postcode_is_explained_and_kept(client, site, typed):
    response = client.get("/areas/", {"postcode": typed})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and 'aria-invalid="true"' in html
    assert "<script>" not in html.split("<main", 1)[1]


def test_a_draft_area_page_is_not_a_destination(client, site):
    site.eastfield.unpublish()
    response = client.get("/areas/", {"postcode": "HB4 2AB"})
    assert response.status_code == 200
    assert "HB4 2AB is in Eastfield" in response.content.decode()


def test_the_list_of_areas_shows_each_published_area_and_its_postcodes(client, site):
    html = client.get("/areas/").content.decode()
    assert "Postcodes starting HB4 2, HB4 3" in html
    assert 'aria-label="Breadcrumb"' in html


# --- What an area page shows ----------------------------------------------------------


def test_area_page_shows_what_is_happening_and_what_residents_can_do(client, site):
    html = client.get("/areas/eastfield/").content.decode()
    # What the initiative is doing there now: the operation's public summary and updates.
    assert "closing down dealing around Eastfield Parade" in html
    assert "Evening patrols on the Parade" in html
    # News for the area, "you said, we did", the open survey and sign-up for the area.
    assert "Eleven arrests in Eastfield" in html and "Eastfield update" in html
    assert 'href="/safer-harbridge/' not in html  # pages are addressed from the site root
    assert "Eastfield: you said, we did" in html
    assert 'href="/survey/eastfield-after/"' in html
    assert 'href="/survey/eastfield-before/"' not in html  # a closed wave is not offered
    assert 'href="/newsletters/subscribe/?area=eastfield"' in html
    # The neighbourhood team's contact.
    assert "Eastfield neighbourhood policing team" in html
    assert "mailto:eastfield.npt@police.example.org" in html
    assert "Drop-in at the library, Tuesdays." in html


def test_area_page_shows_only_its_own_areas_news(client, site):
    press_release_create("Canal towpath arrests", area=site.canal.area)
    newsletter_create("Canal Quarter newsletter", area=site.canal.area)
    html = client.get("/areas/eastfield/").content.decode()
    assert "Canal towpath arrests" not in html
    assert "Canal Quarter newsletter" not in html
    assert "New towpath lights" not in html
    assert "Canal towpath arrests" in client.get("/areas/canal-quarter/").content.decode()


def test_drafts_and_restricted_pages_stay_off_the_area_page(client, site):
    draft = AreaUpdatePage(title="Draft: raid planned", summary="Not yet.", live=False)
    site.eastfield.add_child(instance=draft)
    restricted = area_update_create(site.eastfield, "Staff only update")
    PageViewRestriction.objects.create(page=restricted, restriction_type=PageViewRestriction.LOGIN)
    html = client.get("/areas/eastfield/").content.decode()
    assert "Draft: raid planned" not in html
    assert "Staff only update" not in html


def test_an_ended_operation_is_no_longer_described_as_current(client, site):
    Operation.objects.update(end_date=timezone.localdate() - datetime.timedelta(days=1))
    html = client.get("/areas/eastfield/").content.decode()
    assert "closing down dealing around Eastfield Parade" not in html


def test_area_page_query_budget_does_not_grow_with_content(
    client, site, django_assert_max_num_queries
):
    client.get("/areas/eastfield/")  # warm the site-root cache
    with django_assert_max_num_queries(AREA_PAGE_QUERY_BUDGET):
        client.get("/areas/eastfield/")
    area = site.eastfield.area
    for n in range(8):
        area_update_create(site.eastfield, f"Update number {n}")
        press_release_create(f"Release number {n}", area=area)
        newsletter_create(f"Newsletter number {n}", area=area)
    SurveyWave.objects.create(
        survey=site.wave.survey,
        area=area,
        slug="eastfield-extra",
        opens_on=timezone.localdate(),
        closes_on=timezone.localdate(),
    )
    with django_assert_max_num_queries(AREA_PAGE_QUERY_BUDGET):
        response = client.get("/areas/eastfield/")
    html = response.content.decode()
    assert html.count('class="news-list__item"') == 5  # the latest five updates
    assert "Release number 7" in html and "Release number 4" not in html


def test_postcode_answer_query_budget(client, site, django_assert_max_num_queries):
    client.get("/areas/")
    with django_assert_max_num_queries(16):
        client.get("/areas/", {"postcode": "ZZ9 9ZZ"})


# --- Updates are about the area, never about individuals ------------------------------


@pytest.mark.parametrize(
    "text, found",
    [
        ("A warrant was executed at HB4 2AB this morning.", ["HB4 2AB"]),
        ("Officers searched 12 Larch Close.", ["12 Larch Close"]),
        ("Patrols along Coronation Road every evening.", []),
        ("Twelve new lights on the towpath.", []),
    ],
)
def test_identifying_details_are_found(text, found):
    assert identifying_details(text) == found


def test_communications_officer_publishes_an_update_through_the_admin(client, site, comms_officer):
    client.force_login(comms_officer)
    url = f"/admin/pages/add/neighbourhoods/areaupdatepage/{site.eastfield.pk}/"
    refused = client.post(
        url,
        nested_form_data(
            {
                "title": "Warrant at 14 Larch Close",
                "slug": "warrant",
                "summary": "Officers were at HB4 2AB.",
                "body": rich_text(""),
                "action-publish": "publish",
            }
        ),
    )
    assert refused.status_code == 200
    assert "never about a household or a person" in refused.content.decode()
    assert not AreaUpdatePage.objects.filter(slug="warrant").exists()

    accepted = client.post(
        url,
        nested_form_data(
            {
                "title": "Clean-up on Spinney Walk",
                "slug": "clean-up",
                "summary": "The council cleared the alley and fixed two lights.",
                "body": rich_text(""),
                "action-publish": "publish",
            }
        ),
    )
    assert accepted.status_code == 302
    update = AreaUpdatePage.objects.get(slug="clean-up")
    assert update.live
    client.logout()
    assert "Clean-up on Spinney Walk" in client.get("/areas/eastfield/").content.decode()


def test_an_area_page_is_created_under_the_list_of_areas_only(site, comms_officer):
    assert AreaPage.parent_page_types == ["neighbourhoods.AreaIndexPage"]
    other = AreaFactory(name="Riverside", slug="riverside", postcode_prefixes="HB7")
    page = area_page_create(other, site.index)
    assert page.get_parent().specific == site.index
    assert page.url == "/areas/riverside/"


def test_an_edit_that_names_a_household_is_refused_and_the_live_update_kept(
    client, site, comms_officer
):
    update = area_update_create(site.eastfield, "Patrols on the Parade")
    client.force_login(comms_officer)
    response = client.post(
        f"/admin/pages/{update.pk}/edit/",
        nested_form_data(
            {
                "title": "Patrols on the Parade",
                "slug": update.slug,
                "summary": "Officers called at 3 Meadow Way.",
                "body": rich_text(""),
                "action-publish": "publish",
            }
        ),
    )
    assert response.status_code == 200
    assert "never about a household or a person" in response.content.decode()
    update.refresh_from_db()
    assert update.summary == "Officers are patrolling the shops."


def test_communications_officer_adds_an_area_page_through_the_admin(client, site, comms_officer):
    area = AreaFactory(name="Riverside", slug="riverside", postcode_prefixes="HB7")
    client.force_login(comms_officer)
    response = client.post(
        f"/admin/pages/add/neighbourhoods/areapage/{site.index.pk}/",
        nested_form_data(
            {
                "title": "Riverside",
                "slug": "riverside",
                "area": area.pk,
                "introduction": "",
                "team_name": "Riverside neighbourhood policing team",
                "team_phone": "101",
                "team_email": "",
                "team_details": rich_text("<p>Drop-in on Fridays.</p>"),
                "action-publish": "publish",
            }
        ),
    )
    assert response.status_code == 302
    client.logout()
    assert client.get("/areas/", {"postcode": "HB7 1AA"})["Location"] == "/areas/riverside/"

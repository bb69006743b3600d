"""The grid as a picture: placement, readability when points share a cell, who sees
names, and where it appears (grid page, print version, listing, dashboard, trail)."""

import re
from types import SimpleNamespace

import pytest
from django.urls import reverse

from engagement.models import Quadrant, Stakeholder, StakeholderAlert
from engagement.stakeholders.grid import CELL, cell_origin, grid_chart
from engagement.stakeholders.services import stakeholder_assess
from tests.engagement.factories import StakeholderFactory
from tests.factories import AreaFactory
from tests.refusals import assert_refused

GRID = "/admin/engagement/grid/"
PRINT = "/admin/engagement/grid/print/"


def fake(pk, name, interest, influence):
    return SimpleNamespace(pk=pk, name=name, interest=interest, influence=influence)


def test_points_sharing_a_cell_never_overlap_and_stay_inside_it():
    members = [fake(n, f"Person {n}", 4, 2) for n in range(1, 10)]
    chart = grid_chart(members + [fake(99, "Elsewhere", 1, 5)])
    in_cell = [p for p in chart.points if (p.interest, p.influence) == (4, 2)]
    assert len(in_cell) == 9
    x0, y0 = cell_origin(4, 2)
    for i, a in enumerate(in_cell):
        assert x0 + a.r <= a.x <= x0 + CELL - a.r
        assert y0 + a.r <= a.y <= y0 + CELL - a.r
        for b in in_cell[i + 1 :]:
            assert ((a.x - b.x) ** 2 + (a.y - b.y) ** 2) ** 0.5 >= a.r + b.r
    # Numbers follow the names, matching the table.
    assert [label for label, _s in chart.rows][:2] == [1, 2]
    assert chart.rows[0][1].name == "Elsewhere"


def test_a_crowded_cell_shows_a_count_of_the_rest():
    chart = grid_chart([fake(n, f"P{n:02d}", 2, 2) for n in range(20)])
    labels = [p.label for p in chart.points]
    assert len(chart.points) == 9
    assert labels[-1] == "+12"
    assert len(chart.rows) == 8  # the table lists what the chart names; the rest is a count
    assert chart.hidden == {Quadrant.WATCH: 12}
    assert all(point.r * 2 >= 24 for point in chart.points)  # WCAG 2.2 target size


def test_anonymous_chart_shows_counts_per_cell_only():
    chart = grid_chart([fake(1, "Secret", 5, 5), fake(2, "Hidden", 5, 5)], anonymous=True)
    assert [(p.label, p.stakeholder_id) for p in chart.points] == [("2", None)]
    assert "Secret" not in chart.points[0].title


@pytest.mark.django_db
def test_grid_page_places_every_stakeholder_and_filters_by_area_and_type(
    client, comms_officer, django_assert_max_num_queries
):
    area = AreaFactory(name="Canal Quarter")
    local = StakeholderFactory(name="Lock Lane Residents", scores=(4, 2))
    local.areas.add(area)
    local.save()
    StakeholderFactory(name="Harbridge Herald", stakeholder_type="media", scores=(3, 4))
    StakeholderFactory(name="Unscored Person")
    client.force_login(comms_officer)
    with django_assert_max_num_queries(15):
        html = client.get(GRID).content.decode()
    assert f'data-stakeholder="{local.pk}" data-quadrant="consult"' in html
    assert "Lock Lane Residents" in html and "Harbridge Herald" in html
    assert "Unscored Person" not in html
    assert "2 scored stakeholders: 1 involve, 1 consult, 0 inform, 0 watch" in html

    html = client.get(GRID, {"area": area.pk}).content.decode()
    assert "Lock Lane Residents" in html and "Harbridge Herald" not in html
    html = client.get(GRID, {"stakeholder_type": "media"}).content.decode()
    assert "Harbridge Herald" in html and "Lock Lane Residents" not in html


@pytest.mark.django_db
def test_print_version_has_the_chart_and_table_without_admin_furniture(client, approver):
    StakeholderFactory(name="Eastfield Mosque", scores=(2, 4))
    client.force_login(approver)
    html = client.get(PRINT).content.decode()
    assert "<svg" in html and "Eastfield Mosque" in html
    assert "@page" in html and "@media print" in html
    assert "sidebar" not in html
    assert "<script" not in html


@pytest.mark.django_db
def test_partner_viewer_sees_counts_on_the_grid_but_no_names(client, partner_viewer):
    StakeholderFactory(name="Councillor Private", email="private@example.org", scores=(5, 5))
    StakeholderFactory(name="Another Private", scores=(5, 5))
    client.force_login(partner_viewer)
    for url in (GRID, PRINT, "/admin/"):
        html = client.get(url).content.decode()
        assert "Councillor Private" not in html, url
        assert "private@example.org" not in html, url
        assert "<svg" in html, url
    html = client.get(GRID).content.decode()
    assert "2 scored stakeholders: 2 involve" in html
    assert re.search(r"<th scope=\"row\">Involve</th><td>[^<]*</td><td>2</td>", html)


@pytest.mark.django_db
def test_roles_without_the_grid_permission_are_refused(client, django_user_model):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user(username="nobody", password="x")

    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    response = client.get(GRID)
    assert_refused(response)
    assert "<svg" not in response.content.decode()


@pytest.mark.django_db
def test_listing_shows_the_grid_for_its_filters(client, comms_officer):
    StakeholderFactory(name="Involved One", scores=(5, 5))
    StakeholderFactory(name="Watched One", scores=(1, 1))
    client.force_login(comms_officer)
    url = reverse("wagtailsnippets_engagement_stakeholder:list")
    html = client.get(url, {"quadrant": "watch"}).content.decode()
    assert 'id="listing-grid-title"' in html
    start = html.index('<svg class="signpost-grid"')
    grid_part = html[start : html.index("</svg>", start)]
    assert "Watched One" in grid_part and "Involved One" not in grid_part


@pytest.mark.django_db
def test_dashboard_tells_comms_officer_of_rising_interest_until_reviewed(client, comms_officer):
    stakeholder = StakeholderFactory(name="Meadow Way Residents", scores=(1, 1))
    stakeholder_assess(stakeholder=stakeholder, interest=4, influence=1, reason="New chair")
    alert = StakeholderAlert.objects.get()
    client.force_login(comms_officer)
    html = client.get("/admin/").content.decode()
    assert 'id="stakeholder-alerts' in html
    assert "Meadow Way Residents" in html
    assert 'id="dashboard-grid-title"' in html

    response = client.post(
        reverse("engagement_stakeholder_alert_acknowledge", args=[alert.pk]), {"next": "/admin/"}
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by == comms_officer
    assert 'id="stakeholder-alerts' not in client.get("/admin/").content.decode()


@pytest.mark.django_db
def test_neighbourhood_officer_cannot_acknowledge_alerts(client, neighbourhood_officer):
    stakeholder = StakeholderFactory(scores=(1, 1))
    stakeholder_assess(stakeholder=stakeholder, interest=4, influence=1, reason="New chair")
    alert = StakeholderAlert.objects.get()
    client.force_login(neighbourhood_officer)
    url = reverse("engagement_stakeholder_alert_acknowledge", args=[alert.pk])
    assert_refused(client.post(url))
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


@pytest.mark.django_db
def test_dashboard_lists_overdue_stakeholders(client, comms_officer):
    late = StakeholderFactory(name="Overdue Councillor", scores=(5, 5))
    Stakeholder.objects.filter(pk=late.pk).update(next_action_due="2026-01-01")
    StakeholderFactory(name="Fine Stakeholder", scores=(1, 1))
    client.force_login(comms_officer)
    html = client.get("/admin/").content.decode()
    panel = html[html.index('id="stakeholder-overdue') :]
    assert "Overdue Councillor" in panel
    assert "Approach one to one" in panel
    assert "Fine Stakeholder" not in panel[: panel.index("</section>")]


@pytest.mark.django_db
def test_stakeholder_page_shows_its_trail_of_past_positions(client, comms_officer):
    stakeholder = StakeholderFactory(name="Trail Person", scores=(1, 1))
    stakeholder_assess(stakeholder=stakeholder, interest=2, influence=2, reason="Second")
    stakeholder_assess(stakeholder=stakeholder, interest=4, influence=2, reason="Third")
    client.force_login(comms_officer)
    html = client.get(
        reverse("wagtailsnippets_engagement_stakeholder:inspect", args=[stakeholder.pk])
    ).content.decode()
    assert 'data-trail="true"' in html
    points = re.search(r'<polyline points="([^"]+)"', html).group(1).split()
    assert len(points) == 3
    assert html.count('class="signpost-grid__point"') == 3


@pytest.mark.django_db
def test_the_admin_home_grid_counts_each_cell_and_leaves_the_names_to_the_grid_page(
    client, comms_officer
):
    StakeholderFactory(name="Involved One", scores=(5, 5))
    StakeholderFactory(name="Involved Two", scores=(5, 5))
    StakeholderFactory(name="Watched One", scores=(1, 1))
    client.force_login(comms_officer)
    html = client.get("/admin/").content.decode()
    start = html.index('id="stakeholder-grid')
    panel = html[start : html.index("</section>", start)]
    assert 'data-interest="5" data-influence="5"' in panel
    assert ">2</text>" in panel  # the crowded cell's count
    assert "Involved One" not in panel and "Watched One" not in panel
    assert reverse("engagement_stakeholder_grid") in panel
    grid = client.get(reverse("engagement_stakeholder_grid")).content.decode()
    assert "Involved One" in grid and "Watched One" in grid

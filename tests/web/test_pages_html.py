"""One structural check over every people and case page, as the role allowed to see it, and every failed form.

Each page needs a non-empty <title>, exactly one <h1>, unique ids, and a label for every control a person
fills in: a <label for=…> or, for a group, a <fieldset> with a <legend> (radios and checkboxes need both, a
label per option and the legend for the group). After a failed POST the page starts its title with
"Error: " and shows the GOV.UK error summary ("There is a problem") whose links each point to an id on the
page, so a keyboard or screen-reader user can jump to the field.
"""

import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import timezone
from guardian.shortcuts import assign_perm

from iom.models import Notification, Person, Sensitivity
from tests.iom import factories

pytestmark = pytest.mark.django_db

UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}
GROUPED_TYPES = {"radio", "checkbox"}


class PageStructure(HTMLParser):
    """What a reader relies on: title, headings, ids, form controls with their labels, the error summary."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.h1_count = 0
        self.ids: list[str] = []
        self.label_targets: set[str] = set()
        self.controls: list[dict] = []
        self.summary_links: list[str] = []
        self._in_title = False
        self._fieldsets: list[dict] = []
        self._summary_div_depth: int | None = None
        self._div_depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if attrs.get("id"):
            self.ids.append(attrs["id"])
        if tag == "title":
            self._in_title = True
        elif tag == "h1":
            self.h1_count += 1
        elif tag == "label" and attrs.get("for"):
            self.label_targets.add(attrs["for"])
        elif tag == "fieldset":
            self._fieldsets.append({"legend": False, "controls": []})
        elif tag == "legend" and self._fieldsets:
            self._fieldsets[-1]["legend"] = True
        elif tag in ("input", "select", "textarea"):
            kind = attrs.get("type", "text").lower() if tag == "input" else tag
            if kind not in UNLABELLED_TYPES:
                control = {"tag": tag, "type": kind, "id": attrs.get("id", ""), "name": attrs.get("name", "")}
                control["in_legend_fieldset"] = False
                self.controls.append(control)
                for fieldset in self._fieldsets:
                    fieldset["controls"].append(control)
        elif tag == "div":
            self._div_depth += 1
            if "govuk-error-summary" in attrs.get("class", "").split():
                self._summary_div_depth = self._div_depth
        elif tag == "a" and self._summary_div_depth is not None:
            self.summary_links.append(attrs.get("href", ""))

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        elif tag == "fieldset" and self._fieldsets:
            fieldset = self._fieldsets.pop()
            if fieldset["legend"]:
                for control in fieldset["controls"]:
                    control["in_legend_fieldset"] = True
        elif tag == "div":
            if self._summary_div_depth == self._div_depth:
                self._summary_div_depth = None
            self._div_depth -= 1

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def structure(response) -> PageStructure:
    parser = PageStructure()
    parser.feed(response.content.decode())
    parser.close()
    return parser


def assert_well_formed(response) -> PageStructure:
    page = structure(response)
    page_title = page.title.strip()
    assert page_title, "the page has no <title>"
    assert page_title.split(" \N{EN DASH} ")[0].strip(), f"the <title> {page_title!r} names no page"
    assert page.h1_count == 1, f"{page.h1_count} <h1> elements"
    duplicates = [value for value, count in Counter(page.ids).items() if count > 1]
    assert not duplicates, f"ids used more than once: {duplicates}"
    for control in page.controls:
        labelled = bool(control["id"]) and control["id"] in page.label_targets
        if control["type"] in GROUPED_TYPES:
            assert labelled, f"option without its own <label for>: {control}"
            assert control["in_legend_fieldset"], f"option outside a <fieldset> with a <legend>: {control}"
        else:
            assert labelled or control["in_legend_fieldset"], f"control without a label: {control}"
    return page


def assert_error_summary_links_to_fields(response) -> None:
    assert response.status_code == 200
    page = assert_well_formed(response)
    assert "There is a problem" in response.content.decode()
    assert page.title.strip().startswith("Error: "), page.title
    assert page.summary_links, "the error summary links to nothing"
    for href in page.summary_links:
        assert href.startswith("#"), href
        assert href[1:] in page.ids, f"the error summary links to {href}, which is not on the page"


# --- The world the pages are drawn from ---------------------------------------------------------------------------


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def days(n: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=n)).isoformat()


@dataclass
class World:
    users: dict
    person_id: int
    case_id: int
    action_id: int
    norwich_id: int

    def client(self, role: str | None) -> Client:
        return Client() if role is None else signed_in(self.users[role])


@pytest.fixture
def world(all_roles, case, officer, officer2, probation, cohort, norwich) -> World:
    """A case with something in every section of the person page, so every part of the markup is rendered."""
    action = factories.ActionFactory(case=case, owner=officer, description="Find a hostel place", due_on=days(7))
    factories.ActionFactory(case=case, owner=probation, description="Chase the benefits claim", due_on=days(-3))
    factories.AssessmentFactory(case=case, assessed_by=officer)
    factories.NoteFactory(case=case, author=officer, text="Restricted detail", sensitivity=Sensitivity.RESTRICTED)
    factories.NoteFactory(case=case, author=probation, text="Office visit")
    factories.MembershipFactory(person=case.person, cohort=cohort, decided_by=officer)
    assign_perm("view_case", officer2, case)
    Notification.objects.create(user=officer, kind="action_overdue", title="Action overdue by 3 days", link="/")
    return World(users=all_roles, person_id=case.person_id, case_id=case.pk, action_id=action.pk, norwich_id=norwich.pk)


# (role, address) for each page; ``None`` is an anonymous visitor.
PAGES: dict[str, tuple[str | None, str]] = {
    "sign-in": (None, "/sign-in/"),
    "home-officer": ("officer", "/"),
    "home-probation": ("probation", "/"),
    "home-without-case-work": ("partner", "/referrals/"),
    "home-administrator": ("admin", "/"),
    "notifications": ("officer", "/notifications/"),
    "notifications-empty": ("employer", "/notifications/"),
    "people": ("officer", "/people/"),
    "people-search": ("officer", "/people/?q={last_name}"),
    "people-search-empty": ("officer", "/people/?q=Nobodyhere"),
    "person-new": ("officer", "/people/new/"),
    "person-new-manager": ("manager", "/people/new/"),
    "person": ("officer", "/people/{person}/"),
    "person-manager": ("manager", "/people/{person}/"),
    "person-with-a-grant": ("officer2", "/people/{person}/"),
    "person-edit": ("officer", "/people/{person}/edit/"),
    "case-new": ("officer", "/people/{person}/cases/new/"),
    "allocate": ("officer", "/cases/{case}/allocate/"),
    "assess": ("officer", "/cases/{case}/assess/"),
    "action-new": ("probation", "/cases/{case}/actions/new/"),
    "action-edit": ("officer", "/actions/{action}/edit/"),
    "note-new": ("officer", "/cases/{case}/notes/new/"),
    "access": ("officer", "/cases/{case}/access/"),
}


def address(world: World, template: str) -> str:
    last_name = Person.objects.get(pk=world.person_id).last_name
    return template.format(person=world.person_id, case=world.case_id, action=world.action_id, last_name=last_name)


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_has_a_title_one_heading_unique_ids_and_labelled_controls(world, page):
    role, template = PAGES[page]
    response = world.client(role).get(address(world, template))
    assert response.status_code == 200
    assert_well_formed(response)


# --- Failed forms ---------------------------------------------------------------------------------------------


def person_edit_data(world: World, **overrides) -> dict:
    person = Person.objects.get(pk=world.person_id)
    data = {
        "version": person.version,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "aliases": "",
        "date_of_birth": person.date_of_birth.isoformat(),
        "crn": "",
        "gender": person.gender or "",
        "ethnicity": person.ethnicity or "",
        "district": person.district or "",
        "risk_of_serious_harm": person.risk_of_serious_harm or "",
        # An edit is a correction: the page asks why (tests/web/test_corrections.py).
        "reason": "Corrected from the PNC record",
    }
    data.update(overrides)
    return data


def action_edit_data(world: World, **overrides) -> dict:
    data = {
        "version": 1,
        "description": "Find a hostel place",
        "pathway": "",
        "owner": world.users["officer"].pk,
        "due_on": days(7),
    }
    data.update(overrides)
    return data


def allocation_data(world: World, **overrides) -> dict:
    data = {
        "version": 1,
        "lead_officer": world.users["officer"].pk,
        "offender_manager": world.users["probation"].pk,
        "status": "active",
    }
    data.update(overrides)
    return data


def _stale_person_edit(world: World):
    url = f"/people/{world.person_id}/edit/"
    stale = person_edit_data(world, last_name="Mine")
    assert world.client("probation").post(url, person_edit_data(world, last_name="Theirs")).status_code == 302
    return world.client("officer").post(url, stale)


def _stale_allocation(world: World):
    url = f"/cases/{world.case_id}/allocate/"
    assert world.client("probation").post(url, allocation_data(world, status="paused")).status_code == 302
    return world.client("officer").post(url, allocation_data(world, lead_officer=world.users["manager"].pk))


def _stale_action_edit(world: World):
    url = f"/actions/{world.action_id}/edit/"
    assert world.client("probation").post(url, action_edit_data(world, description="Theirs")).status_code == 302
    return world.client("officer").post(url, action_edit_data(world, description="Mine"))


# What a browser sends for an untouched form: every text box, select and date, each empty (no radios ticked).
PERSON_NEW_FIELDS = ["pnc_id", "first_name", "last_name", "aliases", "date_of_birth", "crn", "gender", "ethnicity"]
PERSON_NEW_FIELDS += ["district", "risk_of_serious_harm", "team"]

FAILED_POSTS: dict[str, Callable[[World], object]] = {
    "sign-in-wrong-password": lambda w: w.client(None).post(
        "/sign-in/", {"username": "officer", "password": "not-the-password"}
    ),
    "sign-in-empty": lambda w: w.client(None).post("/sign-in/", {"username": "", "password": ""}),
    "person-new-empty": lambda w: w.client("officer").post("/people/new/", dict.fromkeys(PERSON_NEW_FIELDS, "")),
    "person-new-bad-pnc": lambda w: w.client("officer").post(
        "/people/new/",
        {"pnc_id": "2013/0012345A", "first_name": "Dean", "last_name": "Blackthorn", "date_of_birth": "1990-05-17"},
    ),
    "person-new-future-birth": lambda w: w.client("officer").post(
        "/people/new/",
        {"pnc_id": "2013/0012345Q", "first_name": "Dean", "last_name": "Blackthorn", "date_of_birth": days(1)},
    ),
    "person-edit-blank-name": lambda w: w.client("officer").post(
        f"/people/{w.person_id}/edit/", person_edit_data(w, first_name="", crn="nonsense")
    ),
    "person-edit-stale": _stale_person_edit,
    "case-new-no-team": lambda w: w.client("officer").post(f"/people/{w.person_id}/cases/new/", {"team": ""}),
    "case-new-already-open": lambda w: w.client("officer").post(
        f"/people/{w.person_id}/cases/new/", {"team": w.norwich_id}
    ),
    "allocate-probation-as-lead": lambda w: w.client("officer").post(
        f"/cases/{w.case_id}/allocate/", allocation_data(w, lead_officer=w.users["probation"].pk)
    ),
    "allocate-stale": _stale_allocation,
    "assess-empty": lambda w: w.client("officer").post(
        f"/cases/{w.case_id}/assess/", {"pathway": "", "assessed_on": "", "notes": ""}
    ),
    "assess-future": lambda w: w.client("officer").post(
        f"/cases/{w.case_id}/assess/",
        {"pathway": "health", "need_level": "low", "rag": "green", "assessed_on": days(1)},
    ),
    "action-new-empty": lambda w: w.client("officer").post(
        f"/cases/{w.case_id}/actions/new/", {"description": "", "pathway": "", "owner": "", "due_on": ""}
    ),
    "action-new-outside-owner": lambda w: w.client("officer").post(
        f"/cases/{w.case_id}/actions/new/",
        {"description": "x", "owner": w.users["outsider_manager"].pk, "due_on": days(3)},
    ),
    "action-edit-empty": lambda w: w.client("officer").post(
        f"/actions/{w.action_id}/edit/", action_edit_data(w, description="", due_on="")
    ),
    "action-edit-stale": _stale_action_edit,
    "note-new-empty": lambda w: w.client("officer").post(
        f"/cases/{w.case_id}/notes/new/", {"note_type": "", "occurred_on": "", "text": ""}
    ),
    "note-new-future": lambda w: w.client("officer").post(
        f"/cases/{w.case_id}/notes/new/",
        {"note_type": "contact", "occurred_on": days(1), "text": "Tomorrow", "sensitivity": "normal"},
    ),
    "access-no-reason": lambda w: w.client("officer").post(
        f"/cases/{w.case_id}/access/", {"username": "officer2", "permission": "view_case", "reason": ""}
    ),
    "access-to-a-partner": lambda w: w.client("officer").post(
        f"/cases/{w.case_id}/access/", {"username": "partner", "permission": "view_case", "reason": "Asked"}
    ),
    "access-revoke-unknown-user": lambda w: w.client("officer").post(
        f"/cases/{w.case_id}/access/", {"username": "nobody", "permission": "view_case", "revoke": "1"}
    ),
}


@pytest.mark.parametrize("scenario", list(FAILED_POSTS))
def test_every_failed_form_shows_an_error_summary_linking_to_the_page(world, scenario):
    assert_error_summary_links_to_fields(FAILED_POSTS[scenario](world))


# --- The checker itself ---------------------------------------------------------------------------------------


class _Page:
    def __init__(self, body: str, title: str = "Error: A page"):
        self.status_code = 200
        self.content = f"<html><head><title>{title}</title></head><body>{body}</body></html>".encode()


SUMMARY = (
    '<div class="govuk-error-summary"><h2>There is a problem</h2><ul><li><a href="#{target}">x</a></li></ul></div>'
)


def test_the_checker_rejects_an_unlabelled_input():
    with pytest.raises(AssertionError, match="control without a label"):
        assert_well_formed(_Page('<h1>A</h1><input type="text" id="a" name="a">'))


def test_the_checker_rejects_a_radio_outside_a_fieldset_with_a_legend():
    with pytest.raises(AssertionError, match="outside a <fieldset>"):
        assert_well_formed(_Page('<h1>A</h1><label for="r">R</label><input type="radio" id="r" name="r">'))


def test_the_checker_accepts_a_labelled_group_of_radios():
    radio = '<input type="radio" id="r" name="r"><label for="r">R</label>'
    page = f"<h1>A</h1><fieldset><legend>Pick</legend>{radio}</fieldset>"
    assert_well_formed(_Page(page))


def test_the_checker_rejects_two_headings_and_an_empty_title():
    with pytest.raises(AssertionError, match="<h1>"):
        assert_well_formed(_Page("<h1>A</h1><h1>B</h1>"))
    with pytest.raises(AssertionError, match="no <title>"):
        assert_well_formed(_Page("<h1>A</h1>", title=""))


def test_the_checker_rejects_an_error_summary_link_to_a_missing_id():
    with pytest.raises(AssertionError, match="not on the page"):
        assert_error_summary_links_to_fields(_Page("<h1>A</h1>" + SUMMARY.format(target="nowhere")))
    assert_error_summary_links_to_fields(_Page('<h1>A</h1><form id="here"></form>' + SUMMARY.format(target="here")))

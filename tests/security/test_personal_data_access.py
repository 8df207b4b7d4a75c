"""Issue 12, finding 2: every unmasked view of personal data, of every model that has any,
on every channel (list, export, detail, edit form, API list and record), leaves a
PersonalDataAccess row; readers without ``core.view_personal_data`` never see the raw value.

It walks the models that declare ``personal_fields`` and takes their records and URLs from the
generic suite (tests/generic.py) each model already feeds; account phones (accounts.Profile),
whose pages are 系统管理's, are walked through ``OTHER_WALKS``. A new model with personal data
and neither fails here."""

from __future__ import annotations

import importlib
import io
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType

from accounts.models import Profile
from core.models import PersonalDataAccess, Role
from tests.generic import ScopedCrudSuite
from tests.staffing.conftest import grant_personal_data

TESTS = Path(__file__).resolve().parent.parent


def personal_fields(model) -> tuple:
    return tuple(getattr(model, "personal_fields", ()) or ())


PERSONAL_MODELS = [m for m in apps.get_models() if personal_fields(m)]


def suites() -> dict:
    for path in sorted(TESTS.rglob("test_*.py")):
        if "ScopedCrudSuite" in path.read_text(encoding="utf-8") and path.resolve() != Path(__file__).resolve():
            importlib.import_module(".".join(path.relative_to(TESTS.parent).with_suffix("").parts))

    def walk(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from walk(sub)

    return {suite.model: suite for suite in walk(ScopedCrudSuite) if suite.model is not None}


def text_of(response) -> str:
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        wb = openpyxl.load_workbook(io.BytesIO(response.getvalue()), read_only=True)
        return " ".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None)
    return response.getvalue().decode()


@dataclass
class Walk:
    """One model's record with known personal values, a reader who reaches every surface (without
    the permission), the surfaces (name → fetch(page client, API client)) and those that must
    show the values to a reader with the permission."""

    obj: object
    values: dict
    reader: object
    surfaces: dict
    shows: set


def with_known_values(obj):
    model = type(obj)
    values = {name: getattr(obj, name) or f"1398765{4321 + i}" for i, name in enumerate(personal_fields(model))}
    model._base_manager.filter(pk=obj.pk).update(**values)
    return model._base_manager.get(pk=obj.pk), values


def suite_walk(model, tree, personas) -> Walk:
    """A model of the generic suite: its list, export, detail and edit pages and its API."""
    suite = suites()[model]()
    obj, values = with_known_values(suite.own_object(tree))
    return Walk(obj, values, personas.street_clerk, {
        "list": lambda client, api: client.get(suite.url("list")),
        "export": lambda client, api: client.get(suite.url("list"), {"export": "xlsx"}),
        "detail": lambda client, api: client.get(suite.url("detail", obj)),
        "edit": lambda client, api: client.get(suite.url("edit", obj)),
        "api-list": lambda client, api: api.get(suite.api_url()),
        "api-detail": lambda client, api: api.get(suite.api_url(obj)),
    }, {"detail", "edit", "api-detail"})


def account_walk(model, tree, personas) -> Walk:
    """Account phones (accounts.Profile): 系统管理's account list, export, detail and edit pages,
    read by an administrator of the account's street (accounts have no API)."""
    from django.urls import reverse

    from tests.accounts.conftest import homed
    from tests.conftest import _user

    admin = homed(_user("street_admin", tree.street_a, Role.ADMIN), tree.street_a)
    account = homed(personas.community_clerk, tree.community_a1)
    obj, values = with_known_values(account.profile)
    return Walk(obj, values, admin, {
        "list": lambda client, api: client.get(reverse("accounts:user_list")),
        "export": lambda client, api: client.get(reverse("accounts:user_list"), {"export": "xlsx"}),
        "detail": lambda client, api: client.get(reverse("accounts:user_detail", args=[account.pk])),
        "edit": lambda client, api: client.get(reverse("accounts:user_edit", args=[account.pk])),
    }, {"detail", "edit", "export"})


# Models with personal data whose pages are not those of the generic suite.
OTHER_WALKS = {Profile: account_walk}


def walk_of(model, tree, personas) -> Walk:
    return OTHER_WALKS.get(model, suite_walk)(model, tree, personas)


def test_every_model_with_personal_data_is_walked():
    assert PERSONAL_MODELS, "no model declares personal_fields"
    missing = [m._meta.label for m in PERSONAL_MODELS if m not in suites() and m not in OTHER_WALKS]
    assert not missing, f"feed tests/generic.ScopedCrudSuite (or OTHER_WALKS) with {missing}"


@pytest.mark.django_db
@pytest.mark.parametrize("model", PERSONAL_MODELS, ids=lambda m: m._meta.label)
def test_every_unmasked_view_is_recorded(model, client, api, tree, personas):
    walk = walk_of(model, tree, personas)
    user = grant_personal_data(walk.reader)
    client.force_login(user)
    content_type = ContentType.objects.get_for_model(model)
    shown = []
    for name, fetch in walk.surfaces.items():
        before = PersonalDataAccess.objects.filter(user=user, content_type=content_type, object_id=walk.obj.pk).count()
        response = fetch(client, api(user))
        assert response.status_code == 200, name
        if any(str(v) in text_of(response) for v in walk.values.values()):
            shown.append(name)
            after = PersonalDataAccess.objects.filter(user=user, content_type=content_type, object_id=walk.obj.pk).count()
            assert after > before, f"{model._meta.label}: {name} shows personal data unmasked without an access record"
    assert walk.shows <= set(shown), shown


@pytest.mark.django_db
@pytest.mark.parametrize("model", PERSONAL_MODELS, ids=lambda m: m._meta.label)
def test_readers_without_permission_never_see_the_raw_values(model, client, api, tree, personas):
    walk = walk_of(model, tree, personas)
    client.force_login(walk.reader)
    for name, fetch in walk.surfaces.items():
        response = fetch(client, api(walk.reader))
        assert response.status_code == 200, name
        body = text_of(response)
        assert not any(str(v) in body for v in walk.values.values()), f"{model._meta.label}: {name}"
    assert not PersonalDataAccess.objects.exists()

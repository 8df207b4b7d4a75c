"""Issue 12, finding 2: every unmasked view of personal data, of every model that has any,
on every channel (list, export, detail, edit form, API list and record), leaves a
PersonalDataAccess row; readers without ``core.view_personal_data`` never see the raw value.

Nothing here names a model: it walks the models that declare ``personal_fields`` and takes
their records and URLs from the generic suite (tests/generic.py) each model already feeds.
A new model with personal data and no suite fails here."""

from __future__ import annotations

import importlib
import io
from pathlib import Path

import openpyxl
import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType

from core.models import PersonalDataAccess
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


def surfaces(suite, obj, client, api_client) -> dict:
    return {
        "list": lambda: client.get(suite.url("list")),
        "export": lambda: client.get(suite.url("list"), {"export": "xlsx"}),
        "detail": lambda: client.get(suite.url("detail", obj)),
        "edit": lambda: client.get(suite.url("edit", obj)),
        "api-list": lambda: api_client.get(suite.api_url()),
        "api-detail": lambda: api_client.get(suite.api_url(obj)),
    }


def with_known_values(suite, tree):
    obj = suite.own_object(tree)
    model = type(obj)
    values = {name: getattr(obj, name) or f"1398765{4321 + i}" for i, name in enumerate(personal_fields(model))}
    model._base_manager.filter(pk=obj.pk).update(**values)
    return model._base_manager.get(pk=obj.pk), values


def test_every_model_with_personal_data_is_walked():
    assert PERSONAL_MODELS, "no model declares personal_fields"
    missing = [m._meta.label for m in PERSONAL_MODELS if m not in suites()]
    assert not missing, f"feed tests/generic.ScopedCrudSuite with {missing}"


@pytest.mark.django_db
@pytest.mark.parametrize("model", PERSONAL_MODELS, ids=lambda m: m._meta.label)
def test_every_unmasked_view_is_recorded(model, client, api, tree, personas):
    suite = suites()[model]()
    obj, values = with_known_values(suite, tree)
    user = grant_personal_data(personas.street_clerk)
    client.force_login(user)
    content_type = ContentType.objects.get_for_model(model)
    shown = []
    for name, fetch in surfaces(suite, obj, client, api(user)).items():
        before = PersonalDataAccess.objects.filter(user=user, content_type=content_type, object_id=obj.pk).count()
        response = fetch()
        assert response.status_code == 200, name
        if any(str(v) in text_of(response) for v in values.values()):
            shown.append(name)
            after = PersonalDataAccess.objects.filter(user=user, content_type=content_type, object_id=obj.pk).count()
            assert after > before, f"{model._meta.label}: {name} shows personal data unmasked without an access record"
    assert {"detail", "edit", "api-detail"} <= set(shown), shown


@pytest.mark.django_db
@pytest.mark.parametrize("model", PERSONAL_MODELS, ids=lambda m: m._meta.label)
def test_readers_without_permission_never_see_the_raw_values(model, client, api, tree, personas):
    suite = suites()[model]()
    obj, values = with_known_values(suite, tree)
    user = personas.street_clerk
    client.force_login(user)
    for name, fetch in surfaces(suite, obj, client, api(user)).items():
        response = fetch()
        assert response.status_code == 200, name
        body = text_of(response)
        assert not any(str(v) in body for v in values.values()), f"{model._meta.label}: {name}"
    assert not PersonalDataAccess.objects.exists()

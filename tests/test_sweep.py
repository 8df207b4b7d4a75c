"""The security sweep: every URL pattern and every OpenAPI operation, as every persona, at the
records outside their scope (issue 12).

Nobody writes a test here for a new endpoint: the page URLs come from Django's resolver, the API
operations from drf-spectacular's schema, the records from tests/world.py (one of every scoped
model in street B and in another district). For each persona the sweep asserts
- a foreign record's URL answers 404 to every method (a write by someone who may only read is a
  404 too: the refusal must not confirm the record),
- an in-scope record answers 403 to a write by someone who may only read (a viewer, a read-only
  token),
- no response names a foreign record or node (its marker text, name or code), including the
  browsable API's forms and error messages,
- nothing in the database changed,
- malformed filter values (out of range, the filters' null choice, text for numbers…) never
  answer 500, on every list page and every API list.
What cannot be walked automatically is listed in ``core.urlwalk.NOT_WALKED`` with the reason.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.test import Client
from django.urls import resolve, reverse
from rest_framework.test import APIClient

from communities.models import Node
from core import urlwalk
from core.models import RecycleEntry
from core.recycle import restorable_entries
from core.scope import Action, node_in_scope, scope_prefixes
from core.urlwalk import FIXED_PARAMS, Route, methods_of, routes, walked
from tests.world import build_world, scoped_models

pytestmark = pytest.mark.django_db

# Tables that reading may legitimately write to (sessions, token last use, the record of who saw
# personal data unmasked, login attempts).
# The facts table is derived (figures.refresh recomputes its dirty rows when a page reads them);
# the authenticator setup page prepares an unconfirmed device of the visitor's own.
VOLATILE = {"sessions.session", "core.apitoken", "core.personaldataaccess", "axes.accessattempt", "axes.accesslog",
            "axes.accessfailurelog", "figures.dirty", "figures.facts", "otp_totp.totpdevice"}
WRITE_METHODS = ("post", "put", "patch", "delete")


# ---- what there is to walk (core/urlwalk.py, shared with manage.py bench_pages) ----

def model_of(route: Route, param: str):
    try:
        return urlwalk.model_of(route, param)
    except urlwalk.UnknownRecord as e:
        pytest.fail(f"the sweep {e}")


@functools.cache
def openapi_schema() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


# ---- personas and what is foreign to each ----

PERSONAS = ["street_clerk", "community_clerk", "neighbour_clerk", "district_reviewer", "viewer", "other_reviewer",
            "read_token", "write_token"]
READ_ONLY = {"viewer", "read_token"}
WRITERS = {"street_clerk", "community_clerk", "neighbour_clerk", "district_reviewer", "other_reviewer"}


@pytest.fixture
def worlds(tree, personas):
    """Street B's (城关区, the district's scheme) and the other district's records."""
    b = build_world(marker="秘B档", community=tree.community_b1, street=tree.street_b, district=tree.district, actor=personas.admin)
    c = build_world(marker="秘C档", community=tree.community_c1, street=tree.street_c, district=tree.other_district,
                    actor=personas.admin)
    return b, c


def user_of(personas, persona):
    return {"read_token": personas.district_reviewer, "write_token": personas.street_clerk}.get(persona) or getattr(personas, persona)


def clients(personas, persona):
    """(page client, API client) of a persona; tokens have no pages."""
    user = user_of(personas, persona)
    page = Client(raise_request_exception=False)  # a 500 is a finding to list, not an exception
    page.force_login(user)
    api = APIClient(raise_request_exception=False)
    if persona.endswith("_token"):
        api.credentials(HTTP_AUTHORIZATION=f"Token {getattr(personas, persona)}")
    else:
        api.force_login(user)
    return page, api


def reachable(user, node) -> bool:
    """In the user's view scope, or above it (their district: its scheme, its standards)."""
    prefixes = scope_prefixes(user, Action.VIEW)
    return prefixes is None or any(p.startswith(node.prefix) or node.code.startswith(p) for p in prefixes)


def foreign_texts(user) -> list[str]:
    """Names and codes of the nodes that are neither in the user's view scope nor above it."""
    texts = []
    for node in Node.objects.all():
        if not reachable(user, node):
            texts += [node.name, node.code]
    return texts


def world_texts(user, worlds) -> list[str]:
    return [w.marker for w in worlds if not node_in_scope(user, w.community, Action.VIEW)]


def text_of(response) -> str:
    content = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    text = content.decode("utf-8", errors="replace")
    if "json" in response.get("Content-Type", ""):
        try:
            text = json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            pass
    return text


def fingerprint(user=None) -> dict[str, str]:
    """A digest of every table but the volatile ones (``user``'s profile made first: the
    account pages create it on first need)."""
    if user is not None:
        from accounts.policy import profile_of

        profile_of(user)
    prints = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in VOLATILE:
            continue
        rows = list(model._base_manager.order_by("pk").values_list())
        prints[label] = hashlib.sha1(repr(rows).encode()).hexdigest()
    return prints


def assert_unchanged(before, what):
    after = fingerprint()
    changed = sorted(k for k in before if before[k] != after.get(k))
    assert not changed, f"{what} changed {changed}"


# ---- the sweep ----

@dataclass
class Call:
    client: object
    method: str
    url: str
    html: bool = False
    route: Route | None = None
    kwargs: dict | None = None

    def twin(self) -> Call:
        """The same call at ids that name no record."""
        kwargs = {k: ("000000000000" if k == "code" else v if k in FIXED_PARAMS else 0) for k, v in self.kwargs.items()}
        return Call(self.client, self.method, reverse(self.route.name, kwargs=kwargs), self.html)

    def send(self):
        kwargs = {"HTTP_ACCEPT": "text/html"} if self.html else {}
        if self.method == "get":
            return self.client.get(self.url, **kwargs)
        if isinstance(self.client, APIClient):
            return getattr(self.client, self.method)(self.url, {}, format="json", **kwargs)
        return getattr(self.client, self.method)(self.url, {}, **kwargs)


def detail_calls(page, api, persona, target_of) -> list[tuple[Call, Route]]:
    """Every method of every URL that names a record, at the record ``target_of(model)`` gives."""
    calls = []
    for route in routes():
        if not walked(route) or not route.params:
            continue
        is_api = route.name.split(":")[0].endswith("-api")
        if persona.endswith("_token") and not is_api:
            continue
        kwargs = {}
        for param in route.params:
            if param in FIXED_PARAMS:
                kwargs[param] = FIXED_PARAMS[param]
                continue
            obj = target_of(model_of(route, param))
            if obj is None:
                break
            kwargs[param] = obj.code if param == "code" else obj.pk
        else:
            url = reverse(route.name, kwargs=kwargs)
            for method in methods_of(route):
                calls.append((Call(api if is_api else page, method, url, route=route, kwargs=kwargs), route))
    return calls


def list_urls() -> list[tuple[Route, str]]:
    found = []
    for route in routes():
        if walked(route) and not route.params:
            found.append((route, reverse(route.name)))
    return found


@pytest.mark.parametrize("persona", PERSONAS)
def test_foreign_records_are_404_and_unnamed(persona, personas, worlds, eager_tasks, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    user = user_of(personas, persona)
    forbidden = foreign_texts(user) + world_texts(user, worlds)
    foreign_worlds = [w for w in worlds if not node_in_scope(user, w.community, Action.VIEW)]
    assert foreign_worlds, f"{persona} should have a foreign world to be swept with"
    missing = [m._meta.label for m in scoped_models() if m not in foreign_worlds[0].objects]
    assert not missing, f"tests/world.py builds no record of {missing}: add a builder"

    def foreign(model):
        for w in foreign_worlds:
            obj = w.objects.get(model)
            if obj is not None and not reachable(user, w.node_of(obj)):
                return obj
        return None

    page, api = clients(personas, persona)
    before = fingerprint(user)
    problems = []
    calls = detail_calls(page, api, persona, foreign)
    for call, route in calls:
        response = call.send()
        # 405: the method is refused before any record is looked up (a POST-only action); 403 when
        # the view refuses the persona whatever the id (the same answer for an id that does not
        # exist: no oracle), e.g. the recycle bin to a clerk.
        if response.status_code == 403 and call.twin().send().status_code == 403:
            continue
        if response.status_code not in (404, 405):
            problems.append(f"{call.method.upper()} {call.url} ({route.name}) → {response.status_code}")
        leaked = [t for t in forbidden if t in text_of(response) and t not in call.url]  # not an echo of the URL
        if leaked:
            problems.append(f"{call.method.upper()} {call.url} names {leaked}")
    # Lists, pages without a record and the browsable API (its forms list related records).
    n_lists = 0
    for route, url in list_urls():
        is_api = route.name.split(":")[0].endswith("-api")
        if persona.endswith("_token") and not is_api:
            continue
        # The browsable API shows forms (their <select>s list related records) to who may write.
        for html in ((False, True) if is_api and persona in WRITERS else (False,)):
            response = Call(api if is_api else page, "get", url, html=html).send()
            n_lists += 1
            if response.status_code >= 500:
                problems.append(f"GET {url} → {response.status_code}")
            leaked = [t for t in forbidden if t in text_of(response)]
            if leaked:
                problems.append(f"GET {url}{' (html)' if html else ''} names {leaked}")
    assert_unchanged(before, f"the sweep as {persona}")
    assert not problems, "\n".join(problems)
    # the walk found the routes (a broken walk finds none); tokens walk the API only
    assert len(calls) > 100 and n_lists > (40 if persona.endswith("_token") else 50)


@pytest.mark.parametrize("persona", sorted(READ_ONLY))
def test_in_scope_writes_by_readers_are_403(persona, personas, worlds, eager_tasks):
    user = user_of(personas, persona)
    own = worlds[0]  # street B: in the district the viewer and the reviewer's token read
    assert node_in_scope(user, own.community, Action.VIEW)

    def in_scope(model):
        obj = own.objects.get(model)
        if model is RecycleEntry and not restorable_entries(user).filter(pk=obj.pk).exists():
            return None  # the bin is scoped by what one reviews: a viewer sees none of it (404)
        return obj

    page, api = clients(personas, persona)
    before = fingerprint(user)
    problems = []
    calls = [(c, r) for c, r in detail_calls(page, api, persona, in_scope) if c.method in WRITE_METHODS]
    for call, route in calls:
        response = call.send()
        is_api = route.name.split(":")[0].endswith("-api")
        # A page's form refuses with its message and a redirect (or shows the page again, as a
        # read-only page answers any method): what matters there is that nothing changed, which
        # the fingerprint below checks. The API must say 403.
        if not is_api and response.status_code < 500 and response.status_code != 404:
            continue
        if response.status_code not in (403, 405):
            problems.append(f"{call.method.upper()} {call.url} ({route.name}) → {response.status_code}")
    # …and a create: 403, not a 400 about the fields
    for route, url in list_urls():
        if route.name.split(":")[0].endswith("-api") and "post" in methods_of(route):
            response = api.post(url, {}, format="json")
            if response.status_code != 403:
                problems.append(f"POST {url} → {response.status_code}")
    assert_unchanged(before, f"writes as {persona}")
    assert not problems, "\n".join(problems)
    assert len(calls) > 50


# ---- malformed filter values ----

def bad_values(f) -> list[str]:
    """Values a filter of this kind must refuse or ignore, never answer 500 to."""
    import django_filters as df

    if isinstance(f, df.NumberFilter):
        return ["620102010000", "99999999999999999999"]  # a year no date has; more than any column holds
    if isinstance(f, df.ModelChoiceFilter):
        return ["null", "-1"]
    if isinstance(f, df.BooleanFilter):
        return ["maybe"]
    if isinstance(f, df.ChoiceFilter):
        return ["null"]
    if isinstance(f, (df.DateFilter, df.DateFromToRangeFilter)):
        return ["99999-01-01"]
    return ["\x00", "null"]


GENERIC_BAD = ["null", "99999999999999999999"]


def query_parameters(schema) -> dict[str, set[str]]:
    """URL name → the query parameters its OpenAPI operations declare."""
    found: dict[str, set[str]] = {}
    for path, operations in schema["paths"].items():
        name = resolve(re.sub(r"\{[^}]+\}", "1", path)).url_name
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    found.setdefault(name, set()).add(parameter["name"])
    return found


def test_malformed_filter_values_never_answer_500(personas, worlds):
    """Every list (pages and API): each filter of its FilterSet with values of the wrong kind,
    out of range or the filters' null choice, and each other query parameter it declares."""

    user = personas.street_clerk
    page, api = Client(raise_request_exception=False), APIClient(raise_request_exception=False)
    page.force_login(user)
    api.force_login(user)
    declared = query_parameters(openapi_schema())
    forbidden = world_texts(user, worlds)
    problems = []
    n = 0
    for route, url in list_urls():
        is_api = route.name.split(":")[0].endswith("-api")
        filterset = getattr(route.view_class, "filterset_class", None)
        filters = dict(filterset.base_filters) if filterset else {}
        tries = [(name, value) for name, f in filters.items() for value in bad_values(f)]
        others = (declared.get(route.pattern.name, set()) if is_api else {"page", "year", "node"}) - set(filters)
        tries += [(name, value) for name in sorted(others) for value in GENERIC_BAD]
        for name, value in tries:
            response = (api if is_api else page).get(url, {name: value})
            n += 1
            if response.status_code >= 500:
                problems.append(f"GET {url}?{name}={value!r} → {response.status_code}")
            elif any(t in text_of(response) for t in forbidden):
                problems.append(f"GET {url}?{name}={value!r} names a foreign record")
    assert not problems, "\n".join(problems)
    assert n > 500


def test_admin_is_for_staff_only(personas):
    client = Client()
    for persona in ("street_clerk", "district_reviewer", "viewer"):
        client.force_login(getattr(personas, persona))
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_every_api_route_is_in_the_schema_and_scopes_its_serializers():
    """The API walk above uses the URL patterns; schemathesis uses the OpenAPI document: both must
    see the same operations. Every API view with serializers narrows their relation fields."""
    from rest_framework.generics import GenericAPIView

    from core.api import ScopedSerializerMixin

    schema = openapi_schema()
    paths = [re.sub(r"\{[^}]+\}", "1", p) for p in schema["paths"]]
    covered = {resolve(p).url_name for p in paths}
    missing = []
    for route in routes():
        if route.name.split(":")[0].endswith("-api") and route.pattern.name != "api-root":
            if route.pattern.name not in covered:
                missing.append(route.name)
            cls = route.view_class
            if cls is not None and issubclass(cls, GenericAPIView) and not issubclass(cls, ScopedSerializerMixin):
                missing.append(f"{route.name}: {cls.__name__} lacks ScopedSerializerMixin")
    assert not missing, missing

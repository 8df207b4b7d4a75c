"""The generic suite every scoped model feeds with data only (NetBox utilities/testing).

A test class for a model subclasses :class:`ScopedCrudSuite` and sets the URLs and the data
hooks; it inherits list, detail, create, update and delete for each persona, through both the
pages and the API, including "a neighbouring street's record is a 404 and is left unchanged",
and the guard that a list's queries do not grow with its length.

Concurrency (core.versioning, docs/concurrency.md) comes with it for every model: a stale edit
page is refused with 已被他人修改 and nothing is overwritten; GET answers an ETag; a stale
If-Match is a 412, a stale body version (PUT of what was read) a 409; two PATCHes of different
fields, the second read before the first was saved, keep both changes.
"""

from __future__ import annotations

from unittest import mock
from urllib.parse import parse_qsl, urlsplit

from django.db import connection
from django.db.models.fields.files import FieldFile
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse

from core.api import ScopedModelViewSet


def page_form_data(response, key: str = "form") -> dict:
    """The data an edit page would post back untouched: every field as the page shows it,
    hidden ones (the version read, what was shown of personal data) included."""
    form = response.context[key]
    data = {}
    for bound in form:
        value = bound.value()
        if value is None or value is False:
            continue
        if value is True:
            value = "on"
        if isinstance(value, (list, tuple)):
            value = [str(v) for v in value]
        elif isinstance(value, FieldFile):  # a stored file is not posted back
            continue
        data[bound.html_name] = value
        if bound.field.show_hidden_initial:  # the value as read, posted back beside the field
            data[bound.html_initial_name] = form.data.get(bound.html_initial_name, value) if form.is_bound else value
    return data


class ScopedCrudSuite:
    model = None
    url_prefix = ""  # "communities:community" → _list, _detail, _add, _edit, _delete
    api_basename = ""  # "communities-api:community" → -list, -detail

    # ---- data hooks (subclasses implement) ----
    def own_object(self, tree):
        """A record in street A (the street clerk's)."""
        raise NotImplementedError

    def neighbour_object(self, tree):
        """A record in street B (the neighbour clerk's)."""
        raise NotImplementedError

    def create_data(self, tree) -> dict:
        """Form data that creates a record in street A."""
        raise NotImplementedError

    def create_data_in_neighbour_street(self, tree) -> dict:
        raise NotImplementedError

    def update_data(self, obj) -> dict:
        """Form data that changes ``obj`` in a visible way (see ``changed``)."""
        raise NotImplementedError

    def api_create_data(self, tree) -> dict:
        return self.create_data(tree)

    def api_update_data(self, obj) -> dict:
        return self.update_data(obj)

    def snapshot(self, obj) -> dict:
        obj = type(obj)._base_manager.get(pk=obj.pk)
        return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.name != "last_updated"}

    def versioned(self, obj, data: dict) -> dict:
        """Form data with the version the page was read at (the record's current one)."""
        return {**data, "version": type(obj)._base_manager.values_list("version", flat=True).get(pk=obj.pk)}

    def second_api_update_data(self, obj) -> dict:
        """A PATCH of one field other than those of ``api_update_data``: by default the first
        field the page's ``update_data`` changes that the API accepts."""
        first = self.api_update_data(obj)
        current = self._api_representation(obj)
        for name, value in self.update_data(obj).items():
            if name in first or name not in current or name in ("id", "version"):
                continue
            if value == "on":
                value = True
            if str(current[name]) != str(value) and value != "":
                return {name: value}
        raise AssertionError("define second_api_update_data: update_data changes no other field the API takes")

    def created_exists(self, data) -> bool:
        raise NotImplementedError

    def make_many(self, tree, n: int) -> None:
        """Create ``n`` records in street A, cheaply (for the query-count guard)."""
        raise NotImplementedError

    # ---- URLs ----
    def url(self, action, obj=None):
        name = f"{self.url_prefix}_{action}"
        return reverse(name, args=[obj.pk]) if obj is not None else reverse(name)

    def api_url(self, obj=None):
        if obj is None:
            return reverse(f"{self.api_basename}-list")
        return reverse(f"{self.api_basename}-detail", args=[obj.pk])

    # ---- anonymous ----
    def test_anonymous_is_sent_to_login_and_api_refuses(self, client, api, tree):
        obj = self.own_object(tree)
        for url in (self.url("list"), self.url("detail", obj), self.url("add"), self.url("edit", obj)):
            response = client.get(url)
            assert response.status_code == 302 and "/login/" in response["Location"], url
        assert api().get(self.api_url()).status_code in (401, 403)
        assert api().get(self.api_url(obj)).status_code in (401, 403)

    # ---- list ----
    def test_list_shows_own_part_only(self, login, api, tree, personas):
        own, neighbour = self.own_object(tree), self.neighbour_object(tree)
        page = login(personas.street_clerk).get(self.url("list"))
        assert page.status_code == 200
        assert self.url("detail", own) in page.content.decode()
        assert self.url("detail", neighbour) not in page.content.decode()
        ids = {row["id"] for row in api(personas.street_clerk).get(self.api_url()).json()["results"]}
        assert own.pk in ids and neighbour.pk not in ids

    def test_reviewer_and_token_read_the_whole_district(self, login, api, tree, personas):
        own, neighbour = self.own_object(tree), self.neighbour_object(tree)
        page = login(personas.district_reviewer).get(self.url("list")).content.decode()
        assert self.url("detail", own) in page and self.url("detail", neighbour) in page
        ids = {row["id"] for row in api(token=personas.read_token).get(self.api_url()).json()["results"]}
        assert {own.pk, neighbour.pk} <= ids

    # ---- detail ----
    def test_detail_own_200_neighbour_404(self, login, api, tree, personas):
        own, neighbour = self.own_object(tree), self.neighbour_object(tree)
        client = login(personas.street_clerk)
        assert client.get(self.url("detail", own)).status_code == 200
        assert client.get(self.url("detail", neighbour)).status_code == 404
        a = api(personas.street_clerk)
        assert a.get(self.api_url(own)).status_code == 200
        assert a.get(self.api_url(neighbour)).status_code == 404

    # ---- create ----
    def test_create_in_own_street(self, login, tree, personas):
        data = self.create_data(tree)
        response = login(personas.street_clerk).post(self.url("add"), data)
        assert response.status_code == 302, response.content.decode()[:3000]
        assert self.created_exists(data)

    def test_save_and_add_another_opens_the_add_form_again(self, login, tree, personas):
        """保存并继续新增: the record is saved and the add form opens again, its record choices
        (the community, the course…) preset to the ones just used."""
        data = self.create_data(tree)
        client = login(personas.street_clerk)
        assert 'id="save-and-add"' in client.get(self.url("add")).content.decode()
        response = client.post(self.url("add"), {**data, "_addanother": "1"})
        assert response.status_code == 302, response.content.decode()[:3000]
        assert self.created_exists(data)
        location = urlsplit(response["Location"])
        assert location.path == self.url("add")
        kept = dict(parse_qsl(location.query))
        form = client.get(response["Location"]).context["form"]
        for name, value in kept.items():
            assert str(data[name]) == value and str(form[name].value()) == value, name
        scoped_choice = self.model.scope_path.split("__")[0] if self.model.scope_path else ""
        if scoped_choice in data and scoped_choice in form.fields:
            assert kept.get(scoped_choice) == str(data[scoped_choice])
        edit = client.get(self.url("edit", self.own_object(tree))).content.decode()
        assert 'id="save-and-add"' not in edit  # an edit is saved once

    def test_detail_links_back_to_its_list_keeping_its_filters(self, login, tree, personas):
        own = self.own_object(tree)
        client = login(personas.street_clerk)
        html = client.get(self.url("detail", own)).content.decode()
        assert f'id="back-to-list" href="{self.url("list")}"' in html
        came_from = f"http://testserver{self.url('list')}?page=2&amp;q=x"
        html = client.get(self.url("detail", own), HTTP_REFERER=came_from.replace("&amp;", "&")).content.decode()
        assert f'id="back-to-list" href="{self.url("list")}?page=2&amp;q=x"' in html
        html = client.get(self.url("detail", own), HTTP_REFERER="http://elsewhere.example/x?y=1").content.decode()
        assert f'id="back-to-list" href="{self.url("list")}"' in html

    def test_create_into_neighbour_street_is_refused(self, login, api, tree, personas):
        data = self.create_data_in_neighbour_street(tree)
        response = login(personas.street_clerk).post(self.url("add"), data)
        assert response.status_code == 200  # the form again, with an error
        assert not self.created_exists(data)
        response = api(personas.street_clerk).post(self.api_url(), self.api_create_data_in_neighbour(tree), format="json")
        assert response.status_code in (400, 403)
        assert not self.created_exists(data)

    def api_create_data_in_neighbour(self, tree):
        return self.create_data_in_neighbour_street(tree)

    def test_api_create_with_write_token(self, api, tree, personas):
        data = self.api_create_data(tree)
        response = api(token=personas.write_token).post(self.api_url(), data, format="json")
        assert response.status_code == 201, response.content
        assert self.created_exists(data)

    def test_read_only_token_cannot_write(self, api, tree, personas):
        data = self.api_create_data(tree)
        response = api(token=personas.read_token).post(self.api_url(), data, format="json")
        assert response.status_code == 403
        assert "只读" in response.json()["detail"]
        assert not self.created_exists(data)

    # ---- update ----
    def test_update_own(self, login, api, tree, personas):
        own = self.own_object(tree)
        before = self.snapshot(own)
        response = login(personas.street_clerk).post(self.url("edit", own), self.versioned(own, self.update_data(own)))
        assert response.status_code == 302, response.content.decode()[:3000]
        assert self.snapshot(own) != before
        response = api(personas.street_clerk).patch(self.api_url(own), self.api_update_data(own), format="json")
        assert response.status_code == 200, response.content

    def test_update_neighbour_is_404_and_unchanged(self, login, api, tree, personas):
        neighbour = self.neighbour_object(tree)
        before = self.snapshot(neighbour)
        client = login(personas.street_clerk)
        assert client.get(self.url("edit", neighbour)).status_code == 404
        assert client.post(self.url("edit", neighbour), self.versioned(neighbour, self.update_data(neighbour))).status_code == 404
        response = api(personas.street_clerk).patch(self.api_url(neighbour), self.api_update_data(neighbour), format="json")
        assert response.status_code == 404
        assert self.snapshot(neighbour) == before

    def test_reviewer_may_read_but_not_change(self, login, api, tree, personas):
        own = self.own_object(tree)
        before = self.snapshot(own)
        client = login(personas.district_reviewer)
        assert client.get(self.url("detail", own)).status_code == 200
        assert client.post(self.url("edit", own), self.versioned(own, self.update_data(own))).status_code == 403
        assert client.post(self.url("delete", own)).status_code == 403
        assert api(personas.district_reviewer).patch(self.api_url(own), self.api_update_data(own), format="json").status_code == 403
        assert self.snapshot(own) == before

    # ---- concurrency: nobody's change is lost ----
    def _api_representation(self, obj) -> dict:
        return self._api_client.get(self.api_url(obj)).json()

    def test_stale_page_save_is_refused_and_shows_their_change(self, login, tree, personas):
        own = self.own_object(tree)
        clerk = login(personas.street_clerk)
        page = clerk.get(self.url("edit", own))  # B opens the page ...
        assert page.status_code == 200
        stale = page_form_data(page)
        assert "version" in stale
        # ... A saves a change meanwhile ...
        response = clerk.post(self.url("edit", own), self.versioned(own, self.update_data(own)))
        assert response.status_code == 302, response.content.decode()[:3000]
        after_a = self.snapshot(own)
        # ... and B saves the page as read: refused, A's change kept.
        response = clerk.post(self.url("edit", own), stale)
        assert response.status_code == 409
        body = response.content.decode()
        assert "已被他人修改" in body and 'id="edit-conflict"' in body
        assert self.snapshot(own) == after_a
        # The page offered again carries the current version and A's values where B changed
        # nothing: saving it keeps A's change.
        offered = page_form_data(response)
        response = clerk.post(self.url("edit", own), offered)
        assert response.status_code == 302, (response.status_code, offered, response.context["form"].errors)
        after_b = self.snapshot(own)
        assert {k: v for k, v in after_b.items() if k != "version"} == {k: v for k, v in after_a.items() if k != "version"}

    def test_page_without_version_is_refused(self, login, tree, personas):
        own = self.own_object(tree)
        before = self.snapshot(own)
        response = login(personas.street_clerk).post(self.url("edit", own), self.update_data(own))
        assert response.status_code == 200
        assert self.snapshot(own) == before

    def test_api_etag_if_match_and_stale_put(self, login, api, tree, personas):
        own = self.own_object(tree)
        client = api(personas.street_clerk)
        self._api_client = client
        read = client.get(self.api_url(own))
        assert read.status_code == 200
        version = read.json()["version"]
        assert read["ETag"] == f'"{version}"'
        # The current ETag in If-Match: accepted, and the answer names the version now.
        response = client.patch(self.api_url(own), self.api_update_data(own), format="json", HTTP_IF_MATCH=read["ETag"])
        assert response.status_code == 200, response.content
        assert response["ETag"] == '"%s"' % response.json()["version"]
        read = client.get(self.api_url(own))
        # Someone changes the record on its page ...
        response = login(personas.street_clerk).post(self.url("edit", own), self.versioned(own, self.update_data(own)))
        assert response.status_code == 302
        changed = self.snapshot(own)
        assert changed["version"] > read.json()["version"]
        # ... then a stale If-Match is a 412, nothing written,
        response = client.patch(self.api_url(own), self.api_update_data(own), format="json", HTTP_IF_MATCH=read["ETag"])
        assert response.status_code == 412, response.content
        assert "已被他人修改" in response.json()["detail"]
        assert self.snapshot(own) == changed
        # ... and a PUT of the representation as it was read (stale body version) a 409.
        body = {k: v for k, v in read.json().items() if v is not None}
        response = client.put(self.api_url(own), body, format="json")
        assert response.status_code == 409, response.content
        assert "已被他人修改" in response.json()["detail"]
        assert self.snapshot(own) == changed

    def test_concurrent_patches_of_different_fields_keep_both(self, api, tree, personas):
        own = self.own_object(tree)
        client = api(personas.street_clerk)
        self._api_client = client
        first, second = self.api_update_data(own), self.second_api_update_data(own)
        stale = self.model.objects.get(pk=own.pk)  # the second request has read the record ...
        assert client.patch(self.api_url(own), first, format="json").status_code == 200  # ... when the first saves
        with mock.patch.object(ScopedModelViewSet, "get_object", lambda view: stale):
            response = client.patch(self.api_url(own), second, format="json")
        assert response.status_code == 200, response.content
        now = client.get(self.api_url(own)).json()
        for name, value in {**first, **second}.items():
            assert str(now[name]) == str(value) or now[name] == value, (name, now[name], value)

    # ---- delete ----
    def test_delete_neighbour_is_404_and_kept(self, login, api, tree, personas):
        neighbour = self.neighbour_object(tree)
        assert login(personas.street_clerk).post(self.url("delete", neighbour)).status_code == 404
        assert api(personas.street_clerk).delete(self.api_url(neighbour)).status_code == 404
        assert self.model._base_manager.filter(pk=neighbour.pk).exists()

    def test_delete_own_through_page_and_api(self, login, api, tree, personas):
        first = self.deletable_object(tree)
        response = login(personas.street_clerk).post(self.url("delete", first))
        assert response.status_code == 302
        assert not self.model._base_manager.filter(pk=first.pk).exists()
        second = self.deletable_object(tree)
        assert api(token=personas.write_token).delete(self.api_url(second)).status_code == 204
        assert not self.model._base_manager.filter(pk=second.pk).exists()

    def deletable_object(self, tree):
        raise NotImplementedError

    def test_delete_goes_to_the_bin_and_restores_identically(self, login, tree, personas):
        """The confirmation page answers, the delete lands in the recycle bin, and the district
        reviewer's restore brings back every column, id and timestamps included."""
        from core.models import RecycleEntry

        obj = self.deletable_object(tree)
        columns = [f.attname for f in self.model._meta.concrete_fields]
        before = self.model._base_manager.filter(pk=obj.pk).values(*columns).get()
        clerk = login(personas.street_clerk)
        assert clerk.get(self.url("delete", obj)).status_code == 200
        assert clerk.post(self.url("delete", obj)).status_code == 302
        entry = RecycleEntry.objects.get(object_id=obj.pk, content_type__model=self.model._meta.model_name)
        restored = login(personas.district_reviewer).post(reverse("core:recycle_restore", args=[entry.pk]))
        assert restored.status_code == 302
        assert self.model._base_manager.filter(pk=obj.pk).values(*columns).get() == before

    # ---- page size and go to page (templates/generic/_pagination.html) ----
    def test_page_size_and_go_to_page(self, login, tree, personas):
        self.make_many(tree, 25)
        client = login(personas.street_clerk)
        total = client.get(self.url("list")).context["page_obj"].paginator.count
        assert total >= 25
        page = client.get(self.url("list"), {"per_page": 20, "page": 2})
        html = page.content.decode()
        assert page.context["page_obj"].paginator.per_page == 20 and page.context["page_obj"].number == 2
        assert len(page.context["page_obj"].object_list) == min(20, total - 20)
        assert 'id="per-page"' in html and '<option value="20" selected>' in html
        assert f'id="go-to-page" class="form-control form-control-sm page-number" min="1" max="{(total + 19) // 20}" value="2"' in html
        assert "page=3" in html or total <= 40  # the links keep the page size
        assert "per_page=20" in html
        for bogus in ("7", "abc", "-20", "100000"):  # not an offered size: the list's default
            assert client.get(self.url("list"), {"per_page": bogus}).context["page_obj"].paginator.per_page == 50

    # ---- 合计 of the money columns ----
    def test_money_totals_cover_every_filtered_row(self, login, tree, personas):
        from decimal import Decimal

        from core.fields import MoneyField

        view = resolve(self.url("list")).func.view_class
        money = [f.name for f in self.model._meta.concrete_fields if isinstance(f, MoneyField)]
        names = money if view.total_fields is None else list(view.total_fields)
        self.make_many(tree, 25)
        page = login(personas.street_clerk).get(self.url("list"), {"per_page": 20})
        totals = page.context["totals"]
        if not names:
            assert totals == [] and 'id="list-totals"' not in page.content.decode()
            return
        rows = list(self.model.objects.visible_to(personas.street_clerk))
        assert len(rows) > 20  # more rows than the page shows: the sum is over all of them
        expected = [sum((getattr(r, n) or Decimal("0") for r in rows), Decimal("0")) for n in names]
        assert [value for _label, value in totals] == expected
        assert all(isinstance(value, Decimal) for _label, value in totals)
        html = page.content.decode()
        assert 'id="list-totals"' in html and f"¥{expected[0]:,.2f}" in html

    # ---- queries do not grow with rows ----
    def _count(self, client, url) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    def test_list_queries_do_not_grow(self, login, api, tree, personas):
        page_client = login(personas.street_clerk)
        api_client = api(personas.street_clerk)
        self.make_many(tree, 10)
        small = (self._count(page_client, self.url("list")), self._count(api_client, self.api_url()))
        self.make_many(tree, 90)
        large = (self._count(page_client, self.url("list")), self._count(api_client, self.api_url() + "?page_size=200"))
        assert small == large, f"queries at 10 rows {small}, at 100 rows {large}"

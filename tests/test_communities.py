import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from communities.models import Level, Node, level_of_code
from communities.services import node_create, node_update
from tests.conftest import community_facts, make_node
from tests.generic import ScopedCrudSuite


def form_data(code, name, parent, **overrides):
    data = {
        "code": code,
        "name": name,
        "parent": parent.pk,
        "community_type": "commercial",
        "is_urban": "on",
        "resident_population": 5200,
        "floating_population": 800,
        "households": 1900,
        "party_members": 150,
        "party_org_form": "general_branch",
        "address": "兰州市城关区庆阳路1号",
        "phone": "0931-8888888",
    }
    data.update(overrides)
    return data


def api_data(code, name, parent, **overrides):
    data = form_data(code, name, parent, **overrides)
    data["is_urban"] = True
    return data


@pytest.mark.django_db
class TestCommunityCrud(ScopedCrudSuite):
    model = Node
    url_prefix = "communities:community"
    api_basename = "communities-api:community"

    def own_object(self, tree):
        return tree.community_a1

    def neighbour_object(self, tree):
        return tree.community_b1

    def deletable_object(self, tree):
        return make_node(f"620102001{Node.objects.count() + 100:03d}", "临时社区", tree.street_a, **community_facts())

    def create_data(self, tree):
        return form_data("620102001009", "新建社区", tree.street_a)

    def create_data_in_neighbour_street(self, tree):
        return form_data("620102002009", "越权社区", tree.street_b)

    def api_create_data(self, tree):
        return api_data("620102001009", "新建社区", tree.street_a)

    def api_create_data_in_neighbour(self, tree):
        return api_data("620102002009", "越权社区", tree.street_b)

    def update_data(self, obj):
        return form_data(obj.code, obj.name + "（改）", obj.parent, households=4321)

    def api_update_data(self, obj):
        return {"households": 4444}

    def created_exists(self, data):
        return Node.objects.filter(code=data["code"]).exists()

    def make_many(self, tree, n):
        start = Node.objects.filter(parent=tree.street_a).count() + 10
        Node.objects.bulk_create(
            Node(code=f"620102001{start + i:03d}", name=f"批量社区{start + i}", parent=tree.street_a,
                 level=Level.COMMUNITY, **community_facts())
            for i in range(n)
        )


# ---- the division code ----

@pytest.mark.parametrize(
    "code,level",
    [
        ("620000000000", Level.PROVINCE),
        ("620100000000", Level.CITY),
        ("620102000000", Level.COUNTY),
        ("620102001000", Level.TOWNSHIP),
        ("620102001001", Level.COMMUNITY),
        ("620102001200", Level.COMMUNITY),
        ("62010200100", None),
        ("62010200100a", None),
        ("000000000000", None),
    ],
)
def test_level_of_code(code, level):
    assert level_of_code(code) == level


@pytest.mark.django_db
def test_code_must_match_parent_prefix_and_level(tree, personas):
    with pytest.raises(ValidationError) as exc:
        node_create(actor=personas.admin, code="620103001009", name="错位社区", parent=tree.street_a, **community_facts())
    assert "前缀" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        node_create(actor=personas.admin, code="620102003000", name="挂错层级", parent=tree.street_a)
    assert "上级" in str(exc.value)
    with pytest.raises(ValidationError):
        node_create(actor=personas.admin, code="6201020010011", name="13位", parent=tree.street_a)


@pytest.mark.django_db
def test_code_of_node_with_children_cannot_change(tree, personas):
    with pytest.raises(ValidationError):
        node_update(actor=personas.admin, node=tree.street_a, code="620102009000")


@pytest.mark.django_db
def test_form_messages_are_chinese(login, tree, personas):
    data = form_data("620102001", "短代码", tree.street_a, households=-3)
    response = login(personas.street_clerk).post(reverse("communities:community_add"), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "区划代码必须是12位数字" in body
    assert "确保该值大于或等于 0" in body or "大于或等于" in body


@pytest.mark.django_db
def test_street_code_in_community_form_is_refused(login, tree, personas):
    response = login(personas.street_clerk).post(
        reverse("communities:community_add"), form_data("620102001000", "街道代码", tree.street_a)
    )
    assert "不是社区" in response.content.decode() or "不能是000" in response.content.decode()


@pytest.mark.django_db
def test_community_clerk_cannot_move_own_community_out(tree, personas, api):
    response = api(personas.community_clerk).patch(
        reverse("communities-api:community-detail", args=[tree.community_a1.pk]),
        {"parent": tree.street_b.pk, "code": "620102002005"},
        format="json",
    )
    assert response.status_code == 400
    tree.community_a1.refresh_from_db()
    assert tree.community_a1.parent_id == tree.street_a.pk


@pytest.mark.django_db
def test_service_rechecks_scope_when_saving(tree, personas):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        node_create(actor=personas.street_clerk, code="620102002008", name="越权", parent=tree.street_b, **community_facts())
    assert not Node.objects.filter(code="620102002008").exists()
    with pytest.raises(PermissionDenied):
        node_update(actor=personas.neighbour_clerk, node=tree.community_a1, name="被改")


# ---- tree browser and filters ----

@pytest.mark.django_db
def test_tree_browser_counts_and_breadcrumbs(login, tree, personas):
    client = login(personas.district_reviewer)
    root = client.get(reverse("communities:tree")).content.decode()
    assert "城关区" in root and "七里河区" not in root
    page = client.get(reverse("communities:tree_node", args=[tree.district.code])).content.decode()
    assert "酒泉路街道" in page and "张掖路街道" in page
    assert "兰州市" in page  # breadcrumb (not a link: outside the reviewer's scope)
    assert reverse("communities:tree_node", args=[tree.city.code]) not in page
    children = {n.code: n.community_count for n in __import__("communities.selectors", fromlist=["x"]).children_with_counts(node=tree.district, user=personas.district_reviewer)}
    assert children == {tree.street_a.code: 2, tree.street_b.code: 1}
    assert client.get(reverse("communities:tree_node", args=[tree.other_district.code])).status_code == 404


@pytest.mark.django_db
def test_filter_dropdowns_list_only_nodes_in_scope(login, tree, personas):
    page = login(personas.street_clerk).get(reverse("communities:community_list")).content.decode()
    assert "酒泉路街道" in page
    assert "张掖路街道" not in page and "西园街道" not in page


@pytest.mark.django_db
def test_list_filters_and_search(login, tree, personas):
    client = login(personas.district_reviewer)
    url = reverse("communities:community_list")
    assert "北关社区" not in client.get(url, {"q": "南关"}).content.decode()
    page = client.get(url, {"street": tree.street_b.pk}).content.decode()
    assert "中山社区" in page and "南关社区" not in page
    response = client.get(url, {"street": tree.street_c.pk})  # out of scope: an invalid choice (400), no leak
    assert response.status_code == 400 and "西湖社区" not in response.content.decode()


@pytest.mark.django_db
def test_api_node_filters(api, tree, personas):
    client = api(token=personas.read_token)
    url = reverse("communities-api:node-list")
    codes = {r["code"] for r in client.get(url, {"level": Level.TOWNSHIP}).json()["results"]}
    assert codes == {tree.street_a.code, tree.street_b.code}
    codes = {r["code"] for r in client.get(url, {"code_prefix": "620102001"}).json()["results"]}
    assert codes == {tree.street_a.code, tree.community_a1.code, tree.community_a2.code}
    codes = {r["code"] for r in client.get(url, {"q": "中山"}).json()["results"]}
    assert codes == {tree.community_b1.code}
    codes = {r["code"] for r in client.get(url, {"parent": tree.street_a.pk}).json()["results"]}
    assert codes == {tree.community_a1.code, tree.community_a2.code}
    data = client.get(reverse("communities-api:community-list"), {"community_type": "commercial"}).json()
    assert data["count"] == 3


@pytest.mark.django_db
def test_api_errors_are_chinese_json(api, tree, personas):
    response = api(token=personas.write_token).post(
        reverse("communities-api:community-list"), api_data("abc", "坏代码", tree.street_a), format="json"
    )
    assert response.status_code == 400
    assert "12位数字" in response.json()["code"][0]


# ---- audit ----

@pytest.mark.django_db
def test_detail_page_shows_who_changed_what(login, tree, personas):
    node_update(actor=personas.street_clerk, node=tree.community_a1, households=2500)
    page = login(personas.district_reviewer).get(reverse("communities:community_detail", args=[tree.community_a1.pk]))
    body = page.content.decode()
    assert "street_clerk" in body and "2100" in body and "2500" in body and "户数" in body


@pytest.mark.django_db
def test_api_write_is_attributed_to_the_token_user(api, tree, personas):
    api(token=personas.write_token).patch(
        reverse("communities-api:community-detail", args=[tree.community_a1.pk]), {"party_members": 201}, format="json"
    )
    latest = tree.community_a1.history.first()
    assert latest.history_user == personas.street_clerk and latest.party_members == 201


@pytest.mark.django_db
def test_changelog_is_scoped(login, tree, personas):
    node_update(actor=personas.neighbour_clerk, node=tree.community_b1, households=999)
    node_update(actor=personas.street_clerk, node=tree.community_a1, households=998)
    page = login(personas.street_clerk).get(reverse("core:changelog")).content.decode()
    assert "南关社区" in page and "中山社区" not in page


@pytest.mark.django_db
def test_scope_is_read_once_per_request_for_every_action(tree, personas, django_assert_num_queries):
    from core.scope import Action, scope_prefixes

    user = type(personas.street_clerk).objects.get(pk=personas.street_clerk.pk)
    with django_assert_num_queries(1):
        assert scope_prefixes(user, Action.VIEW) == ["620102001"]
        assert scope_prefixes(user, Action.CHANGE) == ["620102001"]
        assert scope_prefixes(user, Action.REVIEW) == []


@pytest.mark.django_db
def test_communities_under_each_tree_level_link(login, tree, personas):
    client = login(personas.admin)
    for node, expected in [(tree.province, 4), (tree.city, 4), (tree.district, 3), (tree.street_a, 2)]:
        page = client.get(reverse("communities:tree_node", args=[node.code])).content.decode()
        link = page.split('href="/communities/?', 1)[1].split('"', 1)[0].replace("&amp;", "&")
        listed = client.get(reverse("communities:community_list") + "?" + link)
        assert listed.status_code == 200
        assert listed.content.decode().count('<td class="font-monospace">') == expected, node
        assert "errorlist" not in listed.content.decode()


@pytest.mark.django_db
def test_history_and_changelog_mask_personal_fields(login, tree, personas, monkeypatch):
    from django.contrib.auth.models import Permission

    monkeypatch.setattr(Node, "personal_fields", ("phone",), raising=False)
    node_update(actor=personas.street_clerk, node=tree.community_a1, phone="13912345678")
    body = login(personas.district_reviewer).get(reverse("core:changelog")).content.decode()
    assert "139****5678" in body and "13912345678" not in body
    detail = login(personas.district_reviewer).get(reverse("communities:community_detail", args=[tree.community_a1.pk]))
    history = detail.content.decode().split("变更历史", 1)[1]
    assert "139****5678" in history and "13912345678" not in history
    personas.district_reviewer.user_permissions.add(Permission.objects.get(codename="view_personal_data"))
    reviewer = type(personas.district_reviewer).objects.get(pk=personas.district_reviewer.pk)
    assert "13912345678" in login(reviewer).get(reverse("core:changelog")).content.decode()

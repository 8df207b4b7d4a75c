"""Every download has a Chinese, meaningful file name (issue 15): 城关区2025年考核排名.xlsx, not
ranking-620102000000-2025.xlsx. The download links are found the way a user finds them: every page
of the site (core.urlwalk, at one record of each model) is opened as the administrator and every
link to a file on it (exports, templates, the ranking, summaries, minutes) is followed."""

from __future__ import annotations

import re
from urllib.parse import unquote, urljoin

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from assessments.models import Scheme
from core.downloads import content_disposition, download_name
from core.urlwalk import methods_of, route_kwargs, routes, walked
from core.views import ObjectImportView, ObjectListView
from regional_building.models import Meeting
from reports import services as report_services
from tests.world import build_world

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
FILE_LINK = re.compile(r'href="([^"#]*(?:export=xlsx|template=1|format=xlsx|\.docx|\.xlsx|/minutes/)[^"#]*)"')
HEADER = re.compile(r"""^attachment; filename="([\x20-\x7e]+)"; filename\*=UTF-8''(\S+)$""")


def test_names_are_safe_and_the_header_carries_both_forms():
    assert download_name('城关区/东岗:"2025"年*考核?排名', "xlsx") == "城关区_东岗_2025_年_考核_排名.xlsx"
    assert download_name("  .. ", ".docx") == "下载.docx"
    assert len(download_name("社" * 300, "xlsx")) == 120 + len(".xlsx")
    header = content_disposition("城关区2025年考核排名.xlsx")
    ascii_name, encoded = HEADER.match(header).groups()
    assert ascii_name == "2025.xlsx" and unquote(encoded) == "城关区2025年考核排名.xlsx"
    assert HEADER.match(content_disposition("社区.xlsx")).group(1) == "download.xlsx"


def page_urls(world, community) -> list[str]:
    urls = []
    for route in routes():
        if route.is_api or not walked(route) or "get" not in methods_of(route):
            continue
        kwargs = route_kwargs(route, lambda model, param: community if param == "code" else world.objects.get(model))
        if kwargs is not None:
            urls.append(reverse(route.name, kwargs=kwargs))
    return urls


def test_every_download_is_named_in_chinese(tree, personas, settings, tmp_path, eager_tasks):
    settings.MEDIA_ROOT = tmp_path
    world = build_world(marker="下载", community=tree.community_a1, street=tree.street_a, district=tree.district,
                        actor=personas.admin)
    meeting = world.objects[Meeting]
    meeting.minutes.save("scan0001.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    summary = report_services.summary_start(actor=personas.admin, node=tree.street_a, year=2025, enqueue=False)
    client = Client()
    client.force_login(personas.admin)

    links: dict[str, str] = {}
    for url in page_urls(world, tree.community_a1) + [summary.get_absolute_url()]:
        response = client.get(url)
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            for href in FILE_LINK.findall(response.content.decode()):
                links.setdefault(urljoin(url, href.replace("&amp;", "&")), url)

    names = {}
    for link, found_on in sorted(links.items()):
        response = client.get(link)
        assert response.status_code == 200, (link, found_on, response.status_code)
        match = HEADER.match(response.get("Content-Disposition", ""))
        assert match, (link, response.get("Content-Disposition"))
        name = unquote(match.group(2))
        stem, _, ext = name.rpartition(".")
        assert CJK.search(stem) and ext in ("xlsx", "docx", "pdf"), (link, name)
        assert not re.search(r"[A-Za-z]{3,}|\d{12}", stem), (link, name)  # no English words, no raw codes
        names[link] = name

    # every list that exports and every upload page offered its file
    exporting = [r for r in routes() if getattr(r.view_class, "sheet_class", None) is not None]
    lists = [r for r in exporting if issubclass(r.view_class, ObjectListView)]
    imports = [r for r in exporting if issubclass(r.view_class, ObjectImportView)]
    assert len([u for u in names if "export=xlsx" in u]) >= len(lists) > 10
    assert len([u for u in names if "template=1" in u]) >= len(imports) > 5
    assert names[urljoin(reverse("assessments:ranking", args=[world.objects[Scheme].pk]), "?format=xlsx")] == \
        f"{tree.district.name}2025年考核排名.xlsx"
    assert names[reverse("reports:summary_docx", args=[summary.pk])] == f"{tree.street_a.name}2025年工作总结（第{summary.version}版）.docx"
    assert names[reverse("reports:summary_xlsx", args=[summary.pk])] == f"{tree.street_a.name}2025年统计表（第{summary.version}版）.xlsx"
    assert names[reverse("regional_building:meeting_minutes", args=[meeting.pk])] == \
        f"{meeting.conference.name}{meeting.held_on.isoformat()}会议纪要.pdf"
    compliance = [n for u, n in names.items() if u.startswith(reverse("funding:compliance"))]
    assert compliance and all(n.endswith("年经费达标情况.xlsx") for n in compliance)
    templates = [n for u, n in names.items() if "template=1" in u]
    assert "社区干部花名册导入模板.xlsx" in templates, templates
    exports = [n for u, n in names.items() if "export=xlsx" in u and not u.startswith(reverse("funding:compliance"))]
    assert all(re.search(r"（\d{4}-\d\d-\d\d导出）\.xlsx$", n) for n in exports), exports

"""Chinese is the default language: the catalogue is complete and compiled (no gettext needed
at run time), and every asset is vendored (government intranets have no internet)."""

import gettext
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

BASE = Path(settings.BASE_DIR)
# The project catalogue (locale/) and each app's own (<app>/locale/).
CATALOGUES = sorted(
    p.parent for p in BASE.glob("**/locale/zh_Hans/LC_MESSAGES/django.po") if ".venv" not in p.parts
)


def test_the_project_catalogue_exists():
    assert BASE / "locale" / "zh_Hans" / "LC_MESSAGES" in CATALOGUES


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda p: str(p.relative_to(BASE)))
def test_every_message_is_translated_and_not_fuzzy(catalogue):
    po = polib.pofile(str(catalogue / "django.po"))
    assert not po.untranslated_entries(), [e.msgid for e in po.untranslated_entries()]
    assert not po.fuzzy_entries(), [e.msgid for e in po.fuzzy_entries()]


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda p: str(p.relative_to(BASE)))
def test_compiled_catalogue_matches_the_source(catalogue):
    po = polib.pofile(str(catalogue / "django.po"))
    with open(catalogue / "django.mo", "rb") as handle:
        mo = gettext.GNUTranslations(handle)
    for entry in po.translated_entries():
        if entry.msgid_plural:
            assert mo.ngettext(entry.msgid, entry.msgid_plural, 1) == entry.msgstr_plural[0], entry.msgid
        elif not entry.msgctxt:
            assert mo.gettext(entry.msgid) == entry.msgstr, f"django.mo is stale for {entry.msgid!r}: run make messages"


def test_defaults_are_chinese_and_shanghai():
    assert settings.LANGUAGE_CODE == "zh-hans" and settings.TIME_ZONE == "Asia/Shanghai"


@pytest.mark.django_db
def test_english_is_the_second_language(client, tree, personas):
    client.force_login(personas.street_clerk)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Communities" in client.get(reverse("communities:community_list")).content.decode()


def test_templates_load_nothing_from_the_network():
    pattern = re.compile(r'(src|href)="(https?:)?//', re.I)
    offenders = [str(p) for p in (Path(settings.BASE_DIR) / "templates").rglob("*.html") if pattern.search(p.read_text())]
    assert not offenders


@pytest.mark.parametrize(
    "asset", ["vendor/bootstrap/bootstrap.min.css", "vendor/bootstrap/bootstrap.bundle.min.js",
              "vendor/bootstrap-icons/bootstrap-icons.min.css", "vendor/bootstrap-icons/fonts/bootstrap-icons.woff2"],
)
def test_vendored_assets_exist(asset):
    assert finders.find(asset), asset


@pytest.mark.django_db
def test_pages_reference_only_local_static(client, tree, personas):
    client.force_login(personas.street_clerk)
    for url in [reverse("core:home"), reverse("communities:community_list"), reverse("communities:tree")]:
        body = client.get(url).content.decode()
        for ref in re.findall(r'(?:src|href)="([^"]+\.(?:css|js))"', body):
            assert ref.startswith(settings.STATIC_URL) or ref.startswith("/" + settings.STATIC_URL), ref


def test_no_message_is_translated_two_ways():
    """Django merges the catalogues and the first one wins for a msgid: the project's (locale/),
    then the apps' in INSTALLED_APPS order. A msgid that two catalogues translate differently
    therefore shows the other app's word on this app's page; give it a context or a more
    specific msgid instead."""
    seen: dict[tuple, tuple[str, object]] = {}
    clashes = []
    for catalogue in CATALOGUES:
        for entry in polib.pofile(str(catalogue / "django.po")).translated_entries():
            key = (entry.msgctxt, entry.msgid)
            text = entry.msgstr or entry.msgstr_plural.get(0)
            if key in seen and seen[key][0] != text:
                clashes.append(f"{entry.msgid!r}: {seen[key][0]} ({seen[key][1].parent.parent.parent.name}) vs {text} ({catalogue.parent.parent.parent.name})")
            seen.setdefault(key, (text, catalogue))
    assert not clashes, "\n".join(clashes)

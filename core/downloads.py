"""Downloaded files: their names and the Content-Disposition header, for every download.

A clerk's download folder fills with the files of many lists and years, so a name says in Chinese
what the file holds and for whom: 城关区2025年考核排名.xlsx, 东岗西路街道社区干部（2026-12-02导出）.xlsx,
社区干部导入模板.xlsx, never ranking-620102000000-2025.xlsx. The header carries the name twice
(RFC 6266): ``filename*`` in UTF-8 (RFC 5987) for every browser of the last decade, and a plain
ASCII ``filename`` for the rest.
"""

from __future__ import annotations

import re

from django.http import HttpResponse
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from django.utils.translation import gettext as _

# Characters Windows does not allow in a file name, and control characters.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
_MAX_STEM = 120  # well below the 255-byte limit of file systems, in UTF-8


def download_name(stem: str, ext: str) -> str:
    """``stem.ext`` made safe as a file name on every system (no path separators or reserved
    characters, no leading/trailing dots or spaces, at most 120 characters before the extension)."""
    stem = _UNSAFE.sub("_", str(stem))
    stem = re.sub(r"\s+", " ", stem).strip(" ._") or _("download")
    return f"{stem[:_MAX_STEM].rstrip(' ._')}.{ext.lstrip('.')}"


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """The Content-Disposition value for ``filename``: UTF-8 ``filename*`` and an ASCII fallback."""
    stem, dot, ext = filename.rpartition(".")
    ascii_stem = re.sub(r"[^A-Za-z0-9._-]+", "", (stem if dot else filename).encode("ascii", "ignore").decode())
    fallback = f"{ascii_stem.strip('._-') or 'download'}{dot}{ext if dot else ''}"
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{escape_uri_path(filename)}"


def download_response(content: bytes, filename: str, content_type: str) -> HttpResponse:
    """A file download named ``filename`` (spreadsheets, Word documents)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename)
    return response


def scope_name(user) -> str:
    """The part of the hierarchy ``user`` reads, for a file name: their node's name (两个节点用、),
    "" for an unrestricted user or several nodes. One query."""
    from core.models import Assignment
    from core.scope import Action, scope_prefixes

    prefixes = scope_prefixes(user, Action.VIEW)
    if not prefixes or len(prefixes) > 2:
        return ""
    names = {a.node.prefix: a.node.name for a in Assignment.objects.filter(user=user).select_related("node")}
    return "、".join(names[p] for p in prefixes if p in names)


def export_name(user, title: str, ext: str = "xlsx") -> str:
    """An export of a list: 东岗西路街道社区干部（2026-12-02导出）.xlsx."""
    stem = _("%(scope)s%(title)s (exported %(date)s)") % {
        "scope": scope_name(user), "title": title, "date": timezone.localdate().isoformat()}
    return download_name(stem, ext)


def template_name(title: str, ext: str = "xlsx") -> str:
    """An upload template: 社区干部导入模板.xlsx."""
    return download_name(_("%(title)s upload template") % {"title": title}, ext)

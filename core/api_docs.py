"""The OpenAPI schema and its Swagger UI page, closed to anonymous users unless
``SANQI_API_DOCS_ANONYMOUS`` opens them (by default open only when DEBUG is on).

The docs page is drf-spectacular's split view: its initialiser is a script of its own, so the
page runs under the site's Content-Security-Policy, which forbids inline script and style.
"""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny, IsAuthenticated


def _open() -> bool:
    return bool(settings.SANQI_API_DOCS_ANONYMOUS)


class SchemaView(SpectacularAPIView):
    def get_permissions(self):
        return [AllowAny()] if _open() else [IsAuthenticated()]


class DocsView(SpectacularSwaggerSplitView):
    template_name = "core/api_docs.html"
    permission_classes = [AllowAny]  # the page itself sends an anonymous visitor to log in

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        if not _open() and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().get(request, *args, **kwargs)

from django.conf import settings


def navigation(request):
    return {"site_title": settings.SANQI_SITE_TITLE}

from django.contrib import messages
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.policy import days_until_expiry, must_change_password

# Paths a user who must change the password may still reach.
ALLOWED_PREFIXES = ("/static/", "/i18n/", "/healthz/", "/logout/", "/login/")


class PasswordPolicyMiddleware:
    """Sends a signed-in user whose password was set by an administrator or has expired to
    the password change page before anything else (API calls get a 403 in JSON); warns once
    per session when the password expires soon."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            change_url = reverse("accounts:password_change")
            path = request.path
            if path != change_url and not path.startswith(ALLOWED_PREFIXES):
                reason = must_change_password(user)
                if reason:
                    if path.startswith("/api/"):
                        return JsonResponse({"detail": reason}, status=403)
                    messages.warning(request, reason)
                    return HttpResponseRedirect(change_url)
                if not request.session.get("sanqi_expiry_warned"):
                    days = days_until_expiry(user)
                    if days is not None and not path.startswith("/api/"):
                        request.session["sanqi_expiry_warned"] = True
                        messages.warning(
                            request,
                            _("Your password expires in %(days)d days. Change it on your profile page.") % {"days": days},
                        )
        return self.get_response(request)

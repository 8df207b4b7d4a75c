from django.contrib import messages
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.otp import confirmed_device, otp_required_for
from accounts.policy import days_until_expiry, must_change_password

# Paths a user who must change the password may still reach.
ALLOWED_PREFIXES = ("/static/", "/i18n/", "/healthz/", "/logout/", "/login/")


def _refuse(request, reason, url):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": reason}, status=403)
    messages.warning(request, reason)
    return HttpResponseRedirect(url)


class PasswordPolicyMiddleware:
    """Before anything else, a signed-in user
    1. who enrolled a second factor enters its code (after django-otp's OTPMiddleware);
    2. whose password was set by an administrator or has expired changes it;
    3. who must have a second factor (SANQI_OTP_REQUIRED) and has none enrols one.
    API calls get a 403 in JSON instead of the redirect. Warns once per session when the
    password expires soon."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            change_url = reverse("accounts:password_change")
            verify_url = reverse("accounts:otp_verify")
            setup_urls = (reverse("accounts:otp_setup"), reverse("accounts:otp_qr"))
            path = request.path
            if path.startswith(ALLOWED_PREFIXES) or path == verify_url:
                return self.get_response(request)
            verified = getattr(user, "is_verified", lambda: False)()
            if not verified and confirmed_device(user) is not None:
                return _refuse(request, _("Enter the code shown by your authenticator app."), verify_url)
            if path != change_url:
                reason = must_change_password(user)
                if reason:
                    return _refuse(request, reason, change_url)
                if path not in setup_urls and not verified and otp_required_for(user):
                    return _refuse(
                        request, _("Your role requires a second factor: set up an authenticator app first."),
                        setup_urls[0],
                    )
                if not request.session.get("sanqi_expiry_warned"):
                    days = days_until_expiry(user)
                    if days is not None and not path.startswith("/api/"):
                        request.session["sanqi_expiry_warned"] = True
                        messages.warning(
                            request,
                            _("Your password expires in %(days)d days. Change it on your profile page.") % {"days": days},
                        )
        return self.get_response(request)

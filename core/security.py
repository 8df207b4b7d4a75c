from django.conf import settings


def client_ip(request) -> str:
    """The client's address for login lockout: X-Real-IP set by our proxy, else the peer."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        real = request.META.get("HTTP_X_REAL_IP", "").strip()
        if real:
            return real
    return request.META.get("REMOTE_ADDR", "")

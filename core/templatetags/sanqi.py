from django import template

register = template.Library()


@register.filter
def person(user) -> str:
    """A user's name as Chinese writes it (family name first), else the user name."""
    if user is None:
        return ""
    full = f"{user.last_name}{user.first_name}".strip()
    return full or user.get_username()

"""Every existing account gets a profile whose home division is the highest node it is
assigned to, so that the administrators of that part can manage it from the start."""

from django.db import migrations


def create_profiles(apps, schema_editor):
    User = apps.get_model("auth", "User")
    Profile = apps.get_model("accounts", "Profile")
    Assignment = apps.get_model("core", "Assignment")
    home = {}
    for user_id, node_id, code in Assignment.objects.values_list("user_id", "node_id", "node__code").order_by("node__code"):
        current = home.get(user_id)
        if current is None or len(code.rstrip("0")) < len(current[1].rstrip("0")):
            home[user_id] = (node_id, code)
    have = set(Profile.objects.values_list("user_id", flat=True))
    Profile.objects.bulk_create(
        [Profile(user_id=uid, node_id=home.get(uid, (None, ""))[0]) for uid in User.objects.values_list("pk", flat=True) if uid not in have]
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("core", "0004_alter_assignment_role_historicalassignment")]

    operations = [migrations.RunPython(create_profiles, migrations.RunPython.noop)]

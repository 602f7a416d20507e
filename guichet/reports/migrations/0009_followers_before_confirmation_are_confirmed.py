from django.db import migrations
from django.db.models import F


def confirm_existing(apps, schema_editor):
    # Everyone who followed before confirmation existed was already being told.
    ReportFollower = apps.get_model("reports", "ReportFollower")
    ReportFollower.objects.filter(confirmed_at__isnull=True).update(confirmed_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [("reports", "0008_follower_confirmation")]

    operations = [migrations.RunPython(confirm_existing, migrations.RunPython.noop)]

"""Categories whose silence delay was set to something other than the default 60 days keep
it in days: only the default becomes the legal two months (CRPA L231-1)."""

from django.db import migrations


def keep_custom_delays_in_days(apps, schema_editor):
    Category = apps.get_model("cases", "Category")
    Category.objects.exclude(silence_delay_days=60).update(silence_delay_months=None)


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_acknowledgement_of_receipt")]

    operations = [migrations.RunPython(keep_custom_delays_in_days, migrations.RunPython.noop)]

"""Each report's screenshot gets a perceptual fingerprint, to find the same picture sent again."""

from django.db import migrations, models


def fingerprint_screenshots(apps, schema_editor):
    """Fingerprint the screenshots already on file (a missing or damaged file gets none)."""
    from cohesion.rumours import pictures

    Sighting = apps.get_model("rumours", "Sighting")
    for sighting in Sighting.objects.exclude(screenshot="").only("pk", "screenshot").iterator():
        try:
            with sighting.screenshot.open("rb") as file:
                value = pictures.fingerprint(file)
        except Exception:  # noqa: S112 - a file that cannot be read keeps no fingerprint
            continue
        Sighting.objects.filter(pk=sighting.pk).update(picture_hash=value)


class Migration(migrations.Migration):
    dependencies = [
        ("rumours", "0006_sighting_suggested_claim"),
    ]

    operations = [
        migrations.AddField(
            model_name="sighting",
            name="picture_hash",
            field=models.CharField(blank=True, default="", editable=False, max_length=64),
        ),
        migrations.RunPython(fingerprint_screenshots, migrations.RunPython.noop, elidable=True),
    ]

"""Each report keeps the language its words seem to be in, guessed when they are saved; the
reports already on file are guessed here, in batches."""

from django.db import migrations, models


def guess_existing(apps, schema_editor):
    from cohesion.text.language import guess_language

    Sighting = apps.get_model("rumours", "Sighting")
    batch = []
    for sighting in Sighting.objects.only("pk", "text").iterator(chunk_size=2000):
        sighting.language = guess_language(sighting.text) or ""
        batch.append(sighting)
        if len(batch) >= 2000:
            Sighting.objects.bulk_update(batch, ["language"])
            batch = []
    if batch:
        Sighting.objects.bulk_update(batch, ["language"])


class Migration(migrations.Migration):
    dependencies = [
        ("rumours", "0003_sighting_confirmed_at_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="sighting",
            name="language",
            field=models.CharField(
                blank=True,
                default="",
                editable=False,
                help_text="The language the words seem to be in (ISO 639-1), guessed whenever "
                "they are saved; empty when the computer is not sure",
                max_length=8,
            ),
        ),
        migrations.RunPython(guess_existing, migrations.RunPython.noop),
    ]

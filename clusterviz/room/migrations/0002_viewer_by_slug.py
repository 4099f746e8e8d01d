# A viewer names its cluster by slug (a reset recreates the cluster, the pages stay open).
# Viewer rows only say who has a page open now: the old ones are dropped, not converted.

from django.db import migrations, models


def forget_viewers(apps, schema_editor):
    apps.get_model("room", "Viewer").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("room", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forget_viewers, migrations.RunPython.noop),
        migrations.RemoveField(model_name="viewer", name="cluster"),
        migrations.AddField(model_name="viewer", name="slug",
                            field=models.SlugField(db_index=True, default=""),
                            preserve_default=False),
    ]

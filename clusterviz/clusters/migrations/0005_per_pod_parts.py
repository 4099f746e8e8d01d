"""The kubelet's pods table moves from its section's row to one row per pod record
(clusters.engines.FINE explains why); the section's row keeps the pods' keys in order.
Part names grow to hold "runtime/kubelet/pods/<namespace>/<pod>" (21 + 63 + 1 + 253)."""

from django.db import migrations, models

RUNTIME = "runtime/"
FINE = {"kubelet": "pods"}  # as clusters.engines.FINE on the day of this migration


def split_tables(apps, schema_editor):
    EnginePart = apps.get_model("clusters", "EnginePart")
    for section, table in FINE.items():
        prefix = f"{RUNTIME}{section}/{table}/"
        for part in EnginePart.objects.filter(name=RUNTIME + section):
            body = part.body
            if not isinstance(body, dict) or not isinstance(body.get(table), dict):
                continue
            EnginePart.objects.bulk_create(
                [EnginePart(cluster_id=part.cluster_id, name=prefix + key, body=record)
                 for key, record in body[table].items()])
            part.body = {k: list(v) if k == table else v for k, v in body.items()}
            part.save(update_fields=["body"])


def join_tables(apps, schema_editor):
    EnginePart = apps.get_model("clusters", "EnginePart")
    for section, table in FINE.items():
        prefix = f"{RUNTIME}{section}/{table}/"
        for part in EnginePart.objects.filter(name=RUNTIME + section):
            body = part.body
            if not isinstance(body, dict) or not isinstance(body.get(table), list):
                continue
            rows = EnginePart.objects.filter(cluster_id=part.cluster_id, name__startswith=prefix)
            records = {name.removeprefix(prefix): record
                       for name, record in rows.values_list("name", "body")}
            part.body = {k: {key: records[key] for key in v} if k == table else v
                         for k, v in body.items()}
            part.save(update_fields=["body"])
            rows.delete()


class Migration(migrations.Migration):

    dependencies = [
        ('clusters', '0004_object_by_resource_version'),
    ]

    operations = [
        migrations.AlterField(
            model_name='enginepart',
            name='name',
            field=models.CharField(max_length=400),
        ),
        migrations.RunPython(split_tables, join_tables),
    ]

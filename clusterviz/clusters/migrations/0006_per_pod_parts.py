"""The kubelet's pods table moves from its section's row to one row per pod record
(clusters.engines.FINE explains why); the section's row keeps the pods' keys in order.
Part names grow to hold "runtime/kubelet/pods/<namespace>/<pod>" (21 + 63 + 1 + 253).
The clock's timers move from the cluster's row to the part "clock/timers"; the row keeps
the soonest 16."""

from django.db import migrations, models

RUNTIME = "runtime/"
FINE = {"kubelet": "pods"}  # as clusters.engines.FINE on the day of this migration
TIMERS, TIMERS_IN_ROW = "clock/timers", 16  # as clusters.engines


def split_timers(apps, schema_editor):
    Cluster, EnginePart = apps.get_model("clusters", "Cluster"), apps.get_model("clusters", "EnginePart")
    for cluster in Cluster.objects.all():
        state = dict(cluster.state or {})
        names, clock = state.get("parts"), state.get("clock")
        if names is None or TIMERS in names or not isinstance(clock, dict):
            continue
        timers = clock.get("timers") or []
        EnginePart.objects.create(cluster=cluster, name=TIMERS, body=timers)
        state["clock"] = {**clock, "timers": timers[:TIMERS_IN_ROW]}
        state["parts"] = [*names, TIMERS]
        Cluster.objects.filter(pk=cluster.pk).update(state=state)


def join_timers(apps, schema_editor):
    Cluster, EnginePart = apps.get_model("clusters", "Cluster"), apps.get_model("clusters", "EnginePart")
    for cluster in Cluster.objects.all():
        state = dict(cluster.state or {})
        part = EnginePart.objects.filter(cluster=cluster, name=TIMERS).first()
        if part is None:
            continue
        state["clock"] = {**(state.get("clock") or {}), "timers": part.body}
        state["parts"] = [name for name in state.get("parts") or [] if name != TIMERS]
        Cluster.objects.filter(pk=cluster.pk).update(state=state)
        part.delete()


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
        ('clusters', '0005_ownership'),
    ]

    operations = [
        migrations.AlterField(
            model_name='enginepart',
            name='name',
            field=models.CharField(max_length=400),
        ),
        migrations.RunPython(split_tables, join_tables),
        migrations.RunPython(split_timers, join_timers),
    ]

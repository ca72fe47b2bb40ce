"""Fewer foreign-key checks and index entries per inserted row, same or stronger integrity.

PostgreSQL checks every foreign key of every inserted row (deferred: at COMMIT) and writes
every index. The daily renewal run inserts about a million roster lines and 50,000 drafts
with their steps in one go (docs/benchmarks.md, SPEC §14 asks ≥ 50,000 policies/s):

- roster lines and enrolment steps: ONE composite key (enrolment_id, tenant_id) →
  enrolment (id, tenant_id) replaces the two single-column keys on ``tenant`` and
  ``enrolment``. It still proves the enrolment exists, and also that the row's tenant is
  its enrolment's tenant (two separate keys allowed a line of tenant A on an enrolment of
  tenant B). Its target is the new unique constraint (id, tenant_id) on enrolments.
  Django cannot declare a composite foreign key, so the fields say db_constraint=False
  and the key is added here in SQL, DEFERRABLE INITIALLY DEFERRED like Django's own.
- enrolments: no key of their own on ``organisation``. The check constraint
  ``enrolment_organisation_is_its_unit`` keeps it equal to ``unit_id``, whose key refers
  to members_unit, whose primary key is itself a key to the organisation: the node exists
  and cannot be deleted while the enrolment does.
- roster lines: the unique (enrolment, member) constraint now leads with the member, so it
  also serves look-ups by member and the index on the member alone goes (the order index
  (enrolment, id) serves look-ups by enrolment): three indexes per line, not four.
- enrolments: no index on ``plan`` alone (``enrolment_plan_status_idx`` leads with it); the users
  of the steps (``created_by`` … ``cancelled_by``, and a step's ``actor``) are indexed
  only where set — they are NULL on every draft and every step taken by the system, and
  only ever looked up by a user.
"""

from django.conf import settings
from django.db import migrations, models

STEP_USER_FIELDS = (
    "created_by",
    "submitted_by",
    "checked_by",
    "accepted_by",
    "invoiced_by",
    "in_force_by",
    "returned_by",
    "cancelled_by",
)

COMPOSITE_KEYS = [
    ("enrolment_enrolmentline", "enrolment_line_enrolment_same_tenant_fk"),
    ("enrolment_statuschange", "enrolment_step_enrolment_same_tenant_fk"),
]


def add_key(table: str, name: str) -> migrations.RunSQL:
    return migrations.RunSQL(
        f"""ALTER TABLE {table} ADD CONSTRAINT {name}
            FOREIGN KEY (enrolment_id, tenant_id) REFERENCES enrolment_enrolment (id, tenant_id)
            DEFERRABLE INITIALLY DEFERRED""",
        f"ALTER TABLE {table} DROP CONSTRAINT {name}",
    )


def user_key(**options) -> models.ForeignKey:
    return models.ForeignKey(
        db_index=False,
        null=True,
        on_delete=models.deletion.PROTECT,
        related_name="+",
        to=settings.AUTH_USER_MODEL,
        **options,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("enrolment", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # One check per line or step instead of two (tenant and enrolment).
        migrations.AddConstraint(
            model_name="enrolment",
            constraint=models.UniqueConstraint(
                fields=("id", "tenant"), name="enrolment_id_tenant_key"
            ),
        ),
        *(add_key(table, name) for table, name in COMPOSITE_KEYS),
        migrations.AlterField(
            model_name="enrolmentline",
            name="enrolment",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=models.deletion.CASCADE,
                related_name="lines",
                to="enrolment.enrolment",
            ),
        ),
        migrations.AlterField(
            model_name="enrolmentline",
            name="tenant",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=models.deletion.PROTECT,
                related_name="+",
                to="tenancy.tenant",
            ),
        ),
        migrations.AlterField(
            model_name="statuschange",
            name="enrolment",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=models.deletion.CASCADE,
                related_name="history",
                to="enrolment.enrolment",
            ),
        ),
        migrations.AlterField(
            model_name="statuschange",
            name="tenant",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=models.deletion.PROTECT,
                related_name="+",
                to="tenancy.tenant",
            ),
        ),
        # Roster lines: unique (member, enrolment) also serves look-ups by member.
        migrations.RemoveConstraint(
            model_name="enrolmentline",
            name="enrolment_line_member_once",
        ),
        migrations.AddConstraint(
            model_name="enrolmentline",
            constraint=models.UniqueConstraint(
                fields=("member", "enrolment"), name="enrolment_line_member_once"
            ),
        ),
        migrations.AlterField(
            model_name="enrolmentline",
            name="member",
            field=models.ForeignKey(
                db_index=False,
                on_delete=models.deletion.PROTECT,
                related_name="enrolment_lines",
                to="members.member",
            ),
        ),
        # The enrolment's node: guaranteed through its unit (see the module doc).
        migrations.AlterField(
            model_name="enrolment",
            name="organisation",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=models.deletion.PROTECT,
                related_name="+",
                to="tenancy.organisation",
            ),
        ),
        # Fewer index entries per draft and per step.
        migrations.AlterField(
            model_name="enrolment",
            name="plan",
            field=models.ForeignKey(
                db_index=False,
                on_delete=models.deletion.PROTECT,
                related_name="+",
                to="plans.plan",
                verbose_name="plan",
            ),
        ),
        *(
            migrations.AlterField(model_name="enrolment", name=field, field=user_key())
            for field in STEP_USER_FIELDS
        ),
        *(
            migrations.AddIndex(
                model_name="enrolment",
                index=models.Index(
                    condition=models.Q((f"{field}__isnull", False)),
                    fields=[field],
                    name=f"enrolment_{field}_idx",
                ),
            )
            for field in STEP_USER_FIELDS
        ),
        migrations.AlterField(
            model_name="statuschange",
            name="actor",
            field=user_key(blank=True, verbose_name="by"),
        ),
        migrations.AddIndex(
            model_name="statuschange",
            index=models.Index(
                condition=models.Q(("actor__isnull", False)),
                fields=["actor"],
                name="enrolment_step_actor_idx",
            ),
        ),
    ]

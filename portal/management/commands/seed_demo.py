"""``manage.py seed_demo``: the demo tenants, users of every role and each app's demo data;
safe to re-run."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from claims.demo import demo_member_sign_in, seed_claims
from enrolment.demo import seed_enrolments
from individuals.demo import seed_individual_applications
from members.demo import seed_units_and_members
from mutualaid.home import demo
from mutualaid.tenancy.context import operator_bypass
from mutualaid.tenancy.models import Tenant
from plans.demo import open_demo_individual_offers, seed_demo_extra_plans, seed_demo_plans
from portal.daily import daily_run
from premiums.demo import seed_premiums
from stats.demo import seed_stats

#: Today's jobs as the night would run them, less the two that would empty states the demo
#: shows on purpose: finance's "to invoice" list (an accepted enrolment) and approved claims
#: waiting for a batch. Finance's buttons do those.
DEMO_SKIPS = frozenset({"invoices", "payout_batch"})


class Command(BaseCommand):
    help = (
        "Create the demo tenants (Guangxi and Zhejiang/Shaoxing) with users for every role, "
        "then each app's demo data. Safe to re-run. Only on a demo database: one it made "
        "before, or a new one when DEMO=true (as `make demo` sets); --force for any other."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed a database that is not a demo one (it gets users with a known password).",
        )

    def handle(self, *args, **options):
        # Seeding writes every demo tenant: an operator's audited bypass of row-level
        # security (the owner's DATABASE_URL; mutualaid.tenancy.context).
        with operator_bypass("seed_demo: the demo tenants"):
            self._seed(**options)

    def _seed(self, *args, force=False, **options):
        if not force and (refusal := demo.demo_database_refusal(demo_environment=settings.DEMO)):
            raise CommandError(refusal)
        demo.mark_demo_database()
        created = demo.seed_tenants()
        if created:
            self.stdout.write(self.style.SUCCESS(f"Created {len(created)} demo users."))
        else:
            self.stdout.write("Demo tenants already exist; reusing them.")
        units, members = seed_units_and_members()
        self.stdout.write(f"Units registered: {units}; members added: {members}.")
        plans = seed_demo_plans() + seed_demo_extra_plans()
        self.stdout.write(f"Plans loaded from the seed documents: {len(plans)}.")
        self.stdout.write(f"Versions open to individuals: {open_demo_individual_offers()}.")
        self.stdout.write(f"Demo enrolments made: {seed_enrolments()}.")
        self.stdout.write(f"Demo invoices made: {seed_premiums()}.")
        self.stdout.write(f"Demo claims reported: {seed_claims()}.")
        self.stdout.write(f"Individual applications: {seed_individual_applications()}.")
        self.stdout.write(f"Demo statistics: {seed_stats()}.")
        # Today's jobs once, so a newcomer sees what the night makes (renewal drafts …);
        # idempotent like the night's run, so seed_demo can run again.
        for tenant in Tenant.objects.filter(slug__in=("guangxi", "zhejiang")).order_by("slug"):
            done = daily_run(tenant_id=tenant.pk, skip=DEMO_SKIPS)
            self.stdout.write(f"Today's jobs in {tenant.slug}: {done}.")
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {demo.DEMO_PASSWORD}) — demo only:")
        for tenant, username, node, roles in demo.demo_logins():
            self.stdout.write(f"  {tenant:<9} {username:<20} {roles:<22} {node}")
        if member := demo_member_sign_in():
            name, id_number, phone = member
            self.stdout.write(
                f"Member self-service at /me/login/ (a member with a claim): {name}, "
                f"ID number {id_number}, phone {phone}; the demo prints the text message "
                "with the code in the terminal."
            )

"""Operators: a new province office (tenant) with its first office administrator.

    python manage.py create_tenant --name 中国职工保险互助会安徽省办事处 --slug anhui \\
        --admin-username ah_admin --admin-name 张主任

The administrator's password is generated and printed once; they change it after
logging in (Account → Change password) and then build the tree and the other users.
"""

from __future__ import annotations

import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_slug
from django.db import transaction

from mutualaid.accounts.services import STAFF_FIELDS, tenant_create
from mutualaid.audit.services import record, snapshot
from mutualaid.tenancy.context import operator_bypass
from mutualaid.tenancy.models import Role, Staff, Tenant, User

# No 0/O, 1/l/I: the password is read off a screen and typed in by hand.
_ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def generate_password(user: User, length: int = 14) -> str:
    while True:
        password = "".join(secrets.choice(_ALPHABET) for _ in range(length))
        try:
            validate_password(password, user)
        except ValidationError:
            continue  # e.g. no digit drawn: draw again
        return password


class Command(BaseCommand):
    help = "Create a tenant (province office), its root node, and its first office administrator."

    def add_arguments(self, parser):
        parser.add_argument(
            "--name",
            required=True,
            help="the office's full name, e.g. 中国职工保险互助会安徽省办事处",
        )
        parser.add_argument(
            "--slug", required=True, help="short code: letters, digits, - and _ (e.g. anhui)"
        )
        parser.add_argument(
            "--office-name", help="name of the root node of the tree (default: --name)"
        )
        parser.add_argument("--admin-username", required=True)
        parser.add_argument("--admin-name", default="", help="the administrator's display name")
        parser.add_argument("--admin-email", default="")

    def handle(self, *args, **options):
        # A new tenant's first rows: an operator's audited bypass (the owner's DATABASE_URL).
        with operator_bypass(f"create_tenant {options.get('slug', '')}"):
            self._create(**options)

    def _create(
        self, *args, name, slug, office_name, admin_username, admin_name, admin_email, **options
    ):
        name, slug, username = name.strip(), slug.strip(), admin_username.strip()
        try:
            validate_slug(slug)
        except ValidationError:
            raise CommandError(
                f"--slug {slug!r}: use letters, digits, hyphens and underscores only"
            ) from None
        if Tenant.objects.filter(slug=slug).exists():
            raise CommandError(f"A tenant with the code {slug!r} exists already")
        if Tenant.objects.filter(name=name).exists():
            raise CommandError(f"A tenant named {name!r} exists already")
        if not username:
            raise CommandError("--admin-username must not be empty")
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"The user name {username!r} is taken")

        user = User(username=username, display_name=admin_name.strip(), email=admin_email.strip())
        password = generate_password(user)
        with transaction.atomic():
            tenant, root = tenant_create(
                name=name, slug=slug, office_name=(office_name or name).strip()
            )
            user.set_password(password)
            user.save()
            staff = Staff.objects.create(
                user=user, tenant=tenant, organisation=root, roles=[Role.OFFICE_ADMIN]
            )
            # No actor: the operator at the console, like tenant.create itself.
            record(
                actor=None,
                action="staff.create",
                obj=user,
                organisation=root,
                after={"username": username, **snapshot(staff, STAFF_FIELDS)},
            )

        self.stdout.write(
            self.style.SUCCESS(f"Created tenant {tenant.name} ({tenant.slug}), id {tenant.pk}.")
        )
        self.stdout.write(f"Office administrator: {username}")
        self.stdout.write(f"Password (shown once; change it after the first login): {password}")

"""Each tenant's holiday table: the days that break the Monday–Friday rule, and which
years are complete. Rows are tenant-wide (``scope_org_field = None``): every user of the
tenant reads the same calendar; only office admins change it (see services)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from mutualaid.tenancy.base import TenantModel
from mutualaid.tenancy.scoping import ScopedQuerySet


class DayKind(models.TextChoices):
    REST = "rest", _("Rest day")
    WORKDAY = "workday", _("Make-up workday")


class YearSource(models.TextChoices):
    PACKAGE = "package", _("Holiday package")
    MANUAL = "manual", _("Entered by an administrator")


class CalendarDay(TenantModel):
    """A holiday (rest) or a make-up workday (调休) of one tenant."""

    id = models.BigAutoField(primary_key=True)
    tenant = models.ForeignKey("tenancy.Tenant", on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=8, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_org_field = None

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "date"], name="calendar_day_unique_per_tenant"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}".strip()


class CalendarYear(TenantModel):
    """A year whose calendar is complete for the tenant; other years are provisional."""

    id = models.BigAutoField(primary_key=True)
    tenant = models.ForeignKey("tenancy.Tenant", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(_("source"), max_length=8, choices=YearSource.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_org_field = None

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "year"], name="calendar_year_unique_per_tenant"
            ),
        ]

    def __str__(self) -> str:
        return str(self.year)


class CalendarReminder(TenantModel):
    """One "next year's calendar is missing" reminder sent to a tenant on one day.

    The unique constraint is the idempotency of the scheduled job: a run inserts the row
    first and sends only if the insert happened, so a redelivered task sends nothing.
    """

    id = models.BigAutoField(primary_key=True)
    tenant = models.ForeignKey("tenancy.Tenant", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("missing year"))
    sent_on = models.DateField(_("sent on"))
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_org_field = None

    class Meta:
        verbose_name = _("calendar reminder")
        verbose_name_plural = _("calendar reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "year", "sent_on"], name="calendar_reminder_once_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} @ {self.sent_on:%Y-%m-%d}"

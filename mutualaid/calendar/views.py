"""The work calendar pages: office admins edit, reviewers and auditors read."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dates import MONTHS, WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from mutualaid.calendar import selectors, services
from mutualaid.calendar.forms import DateOnlyForm, DayForm, DeadlineForm
from mutualaid.calendar.models import DayKind, YearSource
from mutualaid.calendar.package import package_years
from mutualaid.calendar.workdays import WorkCalendar
from mutualaid.core.errors import bind_to_form
from mutualaid.tenancy.access import staff_required
from mutualaid.tenancy.models import Role

READ_ROLES = (Role.OFFICE_ADMIN, Role.REVIEWER, Role.AUDITOR)
MIN_YEAR, MAX_YEAR = 2000, 2100


def _checked_year(year: int) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404
    return year


def _month_grids(calendar: WorkCalendar, year: int) -> list[dict]:
    """Twelve months of Monday-first weeks; each cell says how the day counts."""
    weeks_of = pycalendar.Calendar(firstweekday=0).monthdatescalendar
    months = []
    for month in range(1, 13):
        weeks = []
        for week in weeks_of(year, month):
            cells = []
            for day in week:
                if day.month != month:
                    cells.append(None)
                    continue
                if day in calendar.makeup_workdays:
                    css = "makeup"
                elif day in calendar.rest_days:
                    css = "rest"
                elif day.weekday() >= 5:
                    css = "muted"
                else:
                    css = ""
                cells.append({"date": day, "css": css, "name": calendar.names.get(day, "")})
            weeks.append(cells)
        months.append({"number": month, "name": MONTHS[month], "weeks": weeks})
    return months


def _render_year(request, year: int, *, day_form: DayForm | None = None):
    actor = request.actor
    overview = selectors.calendar_overview(tenant=actor.tenant)
    calendar = overview.calendar
    can_edit = actor.has_role(Role.OFFICE_ADMIN)

    entries = [
        {
            "date": day,
            "kind": DayKind.WORKDAY if day in calendar.makeup_workdays else DayKind.REST,
            "name": name,
        }
        for day, name in sorted(calendar.names.items())
        if day.year == year
    ]
    for entry in entries:
        entry["kind_label"] = DayKind(entry["kind"]).label

    if can_edit and day_form is None:
        initial = {"kind": DayKind.REST}
        try:
            editing = dt.date.fromisoformat(request.GET.get("edit", ""))
        except ValueError:
            editing = None
        for entry in entries:
            if entry["date"] == editing:
                initial = {"date": entry["date"], "kind": entry["kind"], "name": entry["name"]}
        day_form = DayForm(initial=initial)

    # The calculator is how an admin checks an edit: both rules, with the provisional flag.
    deadline_form = DeadlineForm(request.GET if "start" in request.GET else None)
    deadlines = None
    if deadline_form.is_bound and deadline_form.is_valid():
        start, days = deadline_form.cleaned_data["start"], deadline_form.cleaned_data["days"]
        deadlines = {
            "calendar_days": calendar.deadline_after(start, days),
            "working_days": calendar.add_working_days(start, days),
        }

    source = overview.year_sources.get(year)
    context = {
        "year": year,
        "previous_year": year - 1 if year > MIN_YEAR else None,
        "next_year": year + 1 if year < MAX_YEAR else None,
        "weekdays": [WEEKDAYS_ABBR[i] for i in range(7)],
        "months": _month_grids(calendar, year),
        "entries": entries,
        "year_known": source is not None,
        "year_source": YearSource(source).label if source else "",
        "year_manual": source == YearSource.MANUAL,
        "package_has_year": year in package_years(),
        "can_edit": can_edit,
        "day_form": day_form,
        "deadline_form": deadline_form,
        "deadlines": deadlines,
    }
    return render(request, "calendar/year.html", context)


@staff_required(*READ_ROLES)
@require_GET
def year_view(request, year: int | None = None):
    if year is None:
        try:
            year = int(request.GET.get("year", ""))
        except ValueError:
            year = timezone.localdate().year
    return _render_year(request, _checked_year(year))


@staff_required(Role.OFFICE_ADMIN)
@require_POST
def day_set(request, year: int):
    year = _checked_year(year)
    form = DayForm(request.POST)
    if form.is_valid():
        try:
            day = services.calendar_day_set(actor=request.actor, **form.cleaned_data)
        except ValidationError as error:
            bind_to_form(form, error)
        else:
            messages.success(request, _("Saved %(date)s.") % {"date": day.date.isoformat()})
            return redirect("calendar:year_detail", year=day.date.year)
    return _render_year(request, year, day_form=form)


def _run(request, action, success: str):
    """Run a one-button service call and report the outcome as a message."""
    try:
        outcome = action()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return None
    messages.success(request, success)
    return outcome


@staff_required(Role.OFFICE_ADMIN)
@require_POST
def day_remove(request, year: int):
    year = _checked_year(year)
    form = DateOnlyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a day to remove."))
    else:
        day = form.cleaned_data["date"]
        _run(
            request,
            lambda: services.calendar_day_remove(actor=request.actor, date=day),
            _("Removed %(date)s.") % {"date": day.isoformat()},
        )
    return redirect("calendar:year_detail", year=year)


@staff_required(Role.OFFICE_ADMIN)
@require_POST
def load_package(request, year: int):
    year = _checked_year(year)
    actor = request.actor
    try:
        result = services.seed_years_from_package(tenant=actor.tenant, actor=actor, years=[year])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        if result.days_added or result.years_added:
            messages.success(
                request,
                _("Loaded %(count)s days from the holiday package.") % {"count": result.days_added},
            )
        else:
            messages.info(
                request, _("Nothing to load: the calendar already has every day of the package.")
            )
    return redirect("calendar:year_detail", year=year)


@staff_required(Role.OFFICE_ADMIN)
@require_POST
def year_confirm(request, year: int):
    year = _checked_year(year)
    _run(
        request,
        lambda: services.calendar_year_confirm(actor=request.actor, year=year),
        _("The calendar for %(year)s is marked complete.") % {"year": year},
    )
    return redirect("calendar:year_detail", year=year)


@staff_required(Role.OFFICE_ADMIN)
@require_POST
def year_unconfirm(request, year: int):
    year = _checked_year(year)
    _run(
        request,
        lambda: services.calendar_year_unconfirm(actor=request.actor, year=year),
        _("The calendar for %(year)s is no longer marked complete.") % {"year": year},
    )
    return redirect("calendar:year_detail", year=year)

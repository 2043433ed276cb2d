"""The main window's pages, each built (and its module imported) on first use.

Importing every page up front costs a cold start about a third of a second (QtCharts,
icalendar, rrule and openpyxl sit behind the calendar, plans and forecast pages), so the
window imports only the page it opens with.
"""

from __future__ import annotations

from importlib import import_module

from PySide6.QtWidgets import QWidget

from sfa_desktop.app.context import AppContext

# Sidebar order: page name -> (module in sfa_desktop.ui, widget class taking the context).
PAGE_CLASSES: dict[str, tuple[str, str]] = {
    "Today": ("today.today_page", "TodayPage"),
    "Accounts": ("accounts.accounts_page", "AccountsPage"),
    "Contacts": ("contacts.contacts_page", "ContactsPage"),
    "Calendar": ("calendar.calendar_page", "CalendarPage"),
    "Visit planner": ("planner.planner_page", "PlannerPage"),  # the week's routed visits
    "Pipeline": ("pipeline.pipeline_page", "PipelinePage"),
    "Plans": ("plans.plans_page", "PlansPage"),
    "Forecast": ("forecast.forecast_page", "ForecastPage"),
    "Insight": ("insight.insight_page", "InsightPage"),  # managers' accuracy, coverage, health
    "Leads": ("leads.leads_page", "LeadsPage"),
    "Review changes": ("review.conflicts_page", "ConflictsPage"),  # sync conflicts to review
}
PAGES = tuple(PAGE_CLASSES)


def build_page(name: str, ctx: AppContext) -> QWidget:
    """A new page widget called `name` (one of PAGES)."""
    module_name, class_name = PAGE_CLASSES[name]
    page = getattr(import_module(f"sfa_desktop.ui.{module_name}"), class_name)(ctx)
    assert isinstance(page, QWidget)
    return page

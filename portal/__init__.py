"""Project wiring: settings, root URLs (pages and the API), the Celery app and its beat
schedule, navigation and the demo seeding that spans the apps. It may import every app;
nothing imports it (the kernel ``mutualaid`` and the apps stay free of it)."""

from portal.celery import app as celery_app

__all__ = ["celery_app"]

"""Operators: publish what the outbox holds, e.g. right after Redis is back.

    python manage.py drain_outbox

Safe to run at any time and side by side with the beat's drain: each row goes out once.
Exits with an error (and leaves the rows pending) when the broker is still unreachable.
"""

from django.core.management.base import BaseCommand, CommandError

from mutualaid.outbox import services


class Command(BaseCommand):
    help = "Publish the pending outbox messages to the broker (each exactly once)."

    def handle(self, *args, **options):
        result = services.drain()
        self.stdout.write(
            f"published {result.published} outbox rows as {result.sent} messages; "
            f"{result.pending} pending"
        )
        if result.error:
            raise CommandError(f"stopped: {result.error}")

"""The mark of a demo database (``seed_demo`` seeds only those; issue 12, item 9)."""

from django.db import models


class DemoDatabase(models.Model):
    """One row in a database that ``seed_demo`` made: it holds the demo tenants, whose users
    share a password printed by the command, so it must never be a real office's database.
    ``seed_demo`` refuses a database without this row unless it is empty (or holds only the
    demo tenants) and the environment says ``DEMO=true``, or it is forced."""

    marked_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"demo database since {self.marked_at:%Y-%m-%d %H:%M}"

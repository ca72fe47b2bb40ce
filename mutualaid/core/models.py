"""Kernel tables that belong to no app: the running document numbers."""

from django.db import models


class DocumentCounter(models.Model):
    """The last running number of a kind of document per tenant and year
    (``mutualaid.core.numbering.next_number`` moves it with one upsert)."""

    #: Row-level security applies (mutualaid.tenancy.rls; the kernel's core cannot import
    #: tenancy's base class, so it says so by this flag).
    tenant_table = True

    tenant = models.ForeignKey("tenancy.Tenant", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "kind", "year"], name="core_document_counter_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.last}"

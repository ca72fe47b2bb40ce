"""The base class of every Celery task (``portal/celery.py``: ``task_cls``): each task runs
in a tenant scope — the ``tenant_id`` argument's tenant, or no tenant, in which case a task
that concerns every office walks them with ``context.each_tenant`` (one scope each)."""

from __future__ import annotations

import inspect

from celery import Task

from mutualaid.tenancy import context


class TenantTask(Task):
    def _tenant_argument(self, args, kwargs):
        if "tenant_id" in kwargs:
            return kwargs["tenant_id"]
        try:
            bound = inspect.signature(self.run).bind_partial(*args, **kwargs)
        except TypeError:
            return None
        return bound.arguments.get("tenant_id")

    def __call__(self, *args, **kwargs):
        tenant_id = self._tenant_argument(args, kwargs)
        with context.tenant_scope(tenant_id, origin=f"task {self.name}"):
            return super().__call__(*args, **kwargs)

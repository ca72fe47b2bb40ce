"""The staff home page, the health check, the demo tenants and the operator's
``create_tenant`` command: the top of the kernel, reading tenancy, audit and calendar."""

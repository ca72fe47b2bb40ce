"""The shared kernel: tenancy, calendar, audit, jobs, notifications, the API base, money,
PDFs, errors and cleaning. It imports no app of the portal (an import contract checks it).
"""

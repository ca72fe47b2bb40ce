"""Form pieces shared by the apps' forms.

``AccountOnFileMixin``: a form with a ``bank_account`` field that a user may have to edit
without being allowed to read the account on file (``mutualaid.tenancy.access``). Built
with ``account_on_file=<the stored account>``, the field starts empty (the whole number is
never in the page), its help names the masked account, and an empty answer keeps the
stored one; typing a number replaces it. Built without it, the form is unchanged.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from mutualaid.core.cleaning import mask_bank_account


class AccountOnFileMixin:
    def __init__(self, *args, account_on_file: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.account_on_file = account_on_file
        if account_on_file is None:
            return
        self.initial = {k: v for k, v in self.initial.items() if k != "bank_account"}
        field = self.fields["bank_account"]
        if account_on_file:
            field.help_text = _(
                "On file: %(account)s. Leave empty to keep it; type a new number to replace it."
            ) % {"account": mask_bank_account(account_on_file)}

    def clean_bank_account(self):
        value = self.cleaned_data.get("bank_account", "")
        if self.account_on_file and not str(value or "").strip():
            return self.account_on_file
        return value

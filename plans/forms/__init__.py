"""Forms translate between people and the engine's terms; the engine decides.

No raw JSON for users: every term and every formula parameter has its own field.
A form turns its fields into the engine's plain data (``to_terms`` / ``to_params`` /
``to_item``) and back (``initial_from``); the service validates the result with
``plans.rules.validate_version_terms`` and ``mutualaid.core.errors.bind_errors`` puts each Chinese
message on the field its path names, or at the top of the form.

Modules: ``base`` (shared plumbing), ``plan`` (plan and version forms), ``items``
(benefit items), ``params`` (each formula's parameter form, generated from the
formula's declarations in ``plans.rules``), ``calculator``. Import from the module.
"""

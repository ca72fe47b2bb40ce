"""Roster exports described by django-import-export resources and written by the kernel's
streaming writer (``mutualaid.core.xlsx``): the resource names the columns, never writes rows.
"""

from __future__ import annotations

from mutualaid.core.xlsx import ID_NUMBER, TEXT, ExportColumn


def columns_from_resource(resource) -> tuple[list[str], list[ExportColumn]]:
    """(values_list paths, columns) from a django-import-export ``Resource``'s export fields.

    Only the description is taken (attribute paths and headers); the rows are then read
    with ``queryset.values_list(*paths).iterator(chunk_size=...)`` and written by
    ``write_xlsx``. A field whose attribute ends in ``id_number`` is masked.
    """
    paths: list[str] = []
    columns: list[ExportColumn] = []
    for field in resource.get_export_fields():
        attribute = field.attribute or field.column_name
        paths.append(attribute)
        kind = ID_NUMBER if attribute.endswith("id_number") else TEXT
        columns.append(ExportColumn(str(field.column_name), kind, 22 if kind == ID_NUMBER else 14))
    return paths, columns

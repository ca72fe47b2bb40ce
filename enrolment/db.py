"""Two database helpers for set-based roster work (STYLE habit 13).

- ``AnyOf(field, values)``: ``field = ANY(%s)`` with the values as ONE array parameter.
  ``__in`` would send one parameter per value, and PostgreSQL refuses statements with
  more than 65,535 of them: a 50,000-row roster plus a few more would not fit.
- ``copy_rows(model, columns, rows)``: psycopg's COPY into the model's table, for loads
  of thousands of rows (an order of magnitude faster than INSERT batches).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection
from django.db.models import F, Lookup


class AnyOf(Lookup):
    """``lhs = ANY(array)``; use as an expression: ``qs.filter(AnyOf(F("id_number"), numbers))``."""

    lookup_name = "any_of"
    prepare_rhs = False

    def __init__(self, lhs, rhs):
        if isinstance(lhs, str):
            lhs = F(lhs)
        super().__init__(lhs, list(rhs))

    def get_db_prep_lookup(self, value, connection):
        return ("%s", [list(value)])

    def as_sql(self, compiler, connection):
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        rhs_sql, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs_sql} = ANY({rhs_sql})", [*lhs_params, *rhs_params]


def copy_rows(model, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """COPY ``rows`` (tuples in the order of ``columns``, column names as in the table) into
    ``model``'s table inside the current transaction; returns the number of rows.

    Constraint violations surface as Django's ``IntegrityError`` like any other write."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    count = 0
    with connection.cursor() as cursor, connection.wrap_database_errors:
        # PostgreSQL refuses COPY FROM into a table under row-level security (the
        # application role's case): COPY into a temporary table of these columns, then one
        # INSERT … SELECT, whose rows the tenant policy checks like any other write.
        cursor.execute("SELECT row_security_active(%s::regclass)", [model._meta.db_table])
        secured = cursor.fetchone()[0]
        target = table
        if secured:
            target = connection.ops.quote_name(f"copy_{model._meta.db_table}")
            cursor.execute(f"DROP TABLE IF EXISTS {target}")
            cursor.execute(
                f"CREATE TEMP TABLE {target} ON COMMIT DROP AS "
                f"SELECT {names} FROM {table} WITH NO DATA"
            )
        with cursor.cursor.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        if secured:
            cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {target}")
            cursor.execute(f"DROP TABLE {target}")
    return count

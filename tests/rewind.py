"""A PostgreSQL copy of a template that tests take in turn, its rows put back in between.

`CREATE DATABASE … TEMPLATE` writes a whole database, its catalogs included (465 files for the
small mine), and `DROP DATABASE` forces a checkpoint, which fsyncs every file written since
the last one, the other worker's copy included: with two workers, about a second a test went
there. Instead one copy is kept and, before the next test, its rows are deleted and the
template's copied back in one transaction (about 50 ms). A test that changed the schema (a
rebuild, a column dropped, a function replaced) leaves a copy that is dropped and made anew.
"""

import psycopg
from psycopg import sql

# The schema as the tests can change it: relations and their columns, indexes, constraints,
# functions, triggers and their states, outside PostgreSQL's own schemas.
SCHEMA = """
SELECT md5(string_agg(line, E'\\n' ORDER BY line)) FROM (
  SELECT concat_ws(' ', n.nspname, c.relname, c.relkind, c.relpersistence,
                   pg_get_indexdef(c.oid)) AS line
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
  UNION ALL
  SELECT concat_ws(' ', c.oid::regclass, a.attnum, a.attname, a.atttypid::regtype,
                   a.attnotnull, a.attisdropped, pg_get_expr(d.adbin, d.adrelid))
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  WHERE n.nspname = 'public' AND a.attnum > 0
  UNION ALL
  SELECT concat_ws(' ', conrelid::regclass, conname, pg_get_constraintdef(oid))
  FROM pg_constraint WHERE connamespace = 'public'::regnamespace
  UNION ALL
  SELECT concat_ws(' ', oid::regprocedure, md5(prosrc)) FROM pg_proc
  WHERE pronamespace = 'public'::regnamespace
  UNION ALL
  SELECT concat_ws(' ', tgrelid::regclass, tgname, tgenabled) FROM pg_trigger
  WHERE NOT tgisinternal
) AS schema
"""
TABLES = "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace " \
         "AND relkind = 'r' ORDER BY relname"
SEQUENCES = "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace " \
            "AND relkind = 'S' ORDER BY relname"


class Rewound:
    """The template's schema, rows and sequences as read once, and the worker's copy."""

    def __init__(self, admin: str, template: str):
        self.admin, self.template = admin, template
        base = template.rsplit("/", 1)[0]
        self.url = f"{base}/{_name(template)}_copy"
        with psycopg.connect(template) as conn:
            self.schema = conn.execute(SCHEMA).fetchone()[0]  # type: ignore[index]
            self.rows = {table: _copy_out(conn, table) for (table,) in conn.execute(TABLES)}
            self.sequences = [(name, *conn.execute(sql.SQL(
                "SELECT last_value, is_called FROM {}").format(sql.Identifier(name))).fetchone())
                for (name,) in conn.execute(SEQUENCES).fetchall()]
        self.made = self.used = False

    def fresh(self) -> str:
        """The copy's URL, holding the template's rows and nothing else."""
        if not self.made:
            self._make()
        elif self.used:
            self._rewind()
        self.used = True
        return self.url

    def drop(self) -> None:
        with psycopg.connect(self.admin, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(_name(self.url))))
        self.made = False

    def _make(self) -> None:
        with psycopg.connect(self.admin, autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(_name(self.url)), sql.Identifier(_name(self.template))))
        self.made = True

    def _rewind(self) -> None:
        with psycopg.connect(self.admin, autocommit=True) as admin:  # a test's leftovers
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = %s", (_name(self.url),))
        with psycopg.connect(self.url) as conn:
            if conn.execute(SCHEMA).fetchone()[0] != self.schema:  # type: ignore[index]
                conn.close()
                self.drop()
                self._make()
                return
            # Neither triggers nor foreign keys while the rows go back.
            conn.execute("SET session_replication_role = replica")
            for table, rows in self.rows.items():
                conn.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(table)))
                with conn.cursor().copy(sql.SQL("COPY {} FROM STDIN (FORMAT binary)").format(
                        sql.Identifier(table))) as copy:
                    copy.write(rows)
            for name, last, called in self.sequences:
                conn.execute("SELECT setval(%s, %s, %s)", (name, last, called))


def _name(url: str) -> str:
    return url.rsplit("/", 1)[1]


def _copy_out(conn: psycopg.Connection, table: str) -> bytes:
    with conn.cursor().copy(sql.SQL("COPY {} TO STDOUT (FORMAT binary)").format(
            sql.Identifier(table))) as copy:
        return b"".join(bytes(block) for block in copy)

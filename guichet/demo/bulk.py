"""Fast inserts for generated data: rows as dicts of field attnames, ids chosen up front.

Choosing the ids here lets a case, its exchanges and its events be built together before
anything is written. Values are adapted the way the database backend adapts them
(`get_db_prep_value`), with shortcuts for the common cases that give the same result, and
the rows are sent with COPY on PostgreSQL and `executemany` elsewhere: several times faster
than `bulk_create`, whose SQLite batches are capped at 999 parameters.

Each batch is written in one transaction. On PostgreSQL, outside any transaction of the
caller, batches are written by a background thread with its own connection, so that the
database works on one batch while Python builds the next.
"""

from __future__ import annotations

import datetime as dt
import json
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from operator import itemgetter
from typing import Any

from django.conf import settings
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models import Max
from django.utils import timezone

from guichet.cases.models import Case, CaseContact, CasePause, Note
from guichet.contacts.models import Contact, OrganisationMember
from guichet.core.models import Event
from guichet.interactions.models import Interaction

HANDLERS = Case.handlers.through
PAST_SERVICES = Case.past_services.through
# Insertion order: a row never points to a table written after it.
WRITE_ORDER = (
    Contact,
    OrganisationMember,
    Case,
    CaseContact,
    HANDLERS,
    PAST_SERVICES,
    CasePause,
    Note,
    Interaction,
    Event,
)
Out = Callable[[str], None]


def quiet(message: str) -> None:
    pass


class JsonText(str):
    """A JSON value already encoded with `json.dumps`, for data repeated on many rows."""


def _json(value):
    return value if type(value) is JsonText else json.dumps(value)


class _Spec:
    def __init__(self, sql, attnames, defaults, now_fields, converters):
        self.sql = sql
        self.defaults = defaults
        self.now_fields = now_fields
        self.getter = itemgetter(*attnames)
        self.converters = converters  # [(index, convert)]


class RowWriter:
    def __init__(self, using: str = DEFAULT_DB_ALIAS, threaded: bool | None = None):
        self.using = using
        self.connection = connections[using]
        self.vendor = self.connection.vendor
        if threaded is None:
            # A second connection would not see the caller's uncommitted rows (tests).
            threaded = self.vendor == "postgresql" and not self.connection.in_atomic_block
        self.threaded = threaded
        self.counts: Counter[str] = Counter()
        self._next: dict[type[models.Model], int] = {}
        self._specs: dict[type[models.Model], _Spec] = {}
        self._touched: set[type[models.Model]] = set()
        self._queue: queue.Queue | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        for model in WRITE_ORDER:
            self.next_id(model)
            self._next[model] -= 1

    def next_id(self, model: type[models.Model]) -> int:
        value = self._next.get(model)
        if value is None:
            found = model._base_manager.using(self.using).aggregate(m=Max("pk"))["m"]
            value = (found or 0) + 1
        self._next[model] = value + 1
        return value

    def _converter(self, field: models.Field) -> Callable[[Any], Any] | None:
        connection = self.connection
        postgres = self.vendor == "postgresql"
        if isinstance(field, models.JSONField):
            if field.encoder is None:
                # What adapt_json_value gives: json.dumps, as text that COPY casts to jsonb.
                return _json
            return _bound(field, connection)
        if isinstance(field, models.DateTimeField):
            if postgres:
                return None  # psycopg adapts aware datetimes itself
            if self.vendor == "sqlite" and settings.USE_TZ:
                # adapt_datetimefield_value: naive in the connection's zone (UTC), as str.
                fallback = _bound(field, connection)

                def convert(value):
                    if value.tzinfo is dt.UTC:
                        return str(value.replace(tzinfo=None))
                    return fallback(value)

                return convert
            return _bound(field, connection)
        if isinstance(field, models.DateField):
            return None if postgres else str
        if isinstance(field, models.DecimalField):
            return _bound(field, connection)
        return None

    def _spec(self, model: type[models.Model]) -> _Spec:
        spec = self._specs.get(model)
        if spec is not None:
            return spec
        quote = self.connection.ops.quote_name
        fields = list(model._meta.concrete_fields)
        attnames = [f.attname for f in fields]
        defaults = {}
        now_fields = []
        converters = []
        for index, field in enumerate(fields):
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                now_fields.append(field.attname)
            elif field.primary_key:
                pass
            else:
                defaults[field.attname] = field.get_default()
            convert = self._converter(field)
            if convert is not None:
                converters.append((index, convert))
        columns = ", ".join(quote(f.column) for f in fields)
        table = quote(model._meta.db_table)
        if self.vendor == "postgresql":
            sql = f"COPY {table} ({columns}) FROM STDIN"
        else:
            sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
        spec = _Spec(sql, attnames, defaults, now_fields, converters)
        self._specs[model] = spec
        return spec

    def _values(self, spec: _Spec, rows: list[dict]):
        defaults = spec.defaults
        if spec.now_fields:
            now = timezone.now()
            defaults = {**defaults, **{name: now for name in spec.now_fields}}
        getter = spec.getter
        converters = spec.converters
        for row in rows:
            values = getter({**defaults, **row})
            if converters:
                values = list(values)
                for index, convert in converters:
                    value = values[index]
                    if value is not None:
                        values[index] = convert(value)
            yield values

    def _insert(self, model: type[models.Model], rows: list[dict]) -> None:
        if not rows:
            return
        spec = self._spec(model)
        with connections[self.using].cursor() as cursor:
            if self.vendor == "postgresql":
                with cursor.cursor.copy(spec.sql) as copy:
                    for values in self._values(spec, rows):
                        copy.write_row(values)
            else:
                cursor.executemany(spec.sql, list(self._values(spec, rows)))
        self.counts[model._meta.label] += len(rows)
        self._touched.add(model)

    def _write(self, tables: list[tuple[type[models.Model], list[dict]]]) -> None:
        with transaction.atomic(using=self.using):
            for model, rows in tables:
                self._insert(model, rows)

    def write(self, tables: list[tuple[type[models.Model], list[dict]]]) -> None:
        """Write rows of several tables, in this order, in one transaction."""
        if not self.threaded:
            self._write(tables)
            return
        if self._error is not None:
            raise self._error
        if self._thread is None:
            self._queue = queue.Queue(maxsize=2)
            self._thread = threading.Thread(target=self._work, name="demo-writer", daemon=True)
            self._thread.start()
        self._queue.put(tables)

    def _work(self) -> None:
        try:
            while (tables := self._queue.get()) is not None:
                if self._error is None:
                    self._write(tables)
        except BaseException as exc:  # noqa: BLE001 - handed over to the producing thread
            self._error = exc
            while self._queue.get() is not None:
                pass
        finally:
            connections[self.using].close()

    def wait(self) -> None:
        """Let the background writer finish what it was given."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def finish(self) -> None:
        """Wait for the writes, then move the id sequences past the ids chosen here
        (PostgreSQL; SQLite follows by itself)."""
        self.wait()
        if not self._touched:
            return
        statements = self.connection.ops.sequence_reset_sql(no_style(), list(self._touched))
        if statements:
            with self.connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
        self._touched.clear()


def _bound(field, connection):
    def convert(value):
        return field.get_db_prep_value(value, connection, prepared=False)

    return convert


class Batch:
    """Rows waiting to be written, by model, with ids given by the writer."""

    def __init__(self, writer: RowWriter):
        self.writer = writer
        self.rows: dict[type, list[dict]] = {m: [] for m in WRITE_ORDER}

    def add(self, model, row: dict) -> int:
        row["id"] = self.writer.next_id(model)
        self.rows[model].append(row)
        return row["id"]

    def put(self, model, row: dict) -> None:
        """A row whose id was taken from the writer beforehand."""
        self.rows[model].append(row)

    def flush(self) -> None:
        self.writer.write([(model, self.rows[model]) for model in WRITE_ORDER])
        self.rows = {m: [] for m in WRITE_ORDER}


@contextmanager
def bulk_load(*, enabled: bool, out: Out = quiet, using: str = DEFAULT_DB_ALIAS):
    """For the time of a large fill, drop the foreign keys and secondary indexes of the bulk
    tables, then restore them, as PostgreSQL's documentation advises for bulk loads ("Remove
    Indexes", "Remove Foreign Key Constraints"): checking every row, one at a time, costs
    more than checking them all at the end. Primary keys and unique indexes stay, and
    restoring the foreign keys validates every row. PostgreSQL only."""
    connection = connections[using]
    if not enabled or connection.vendor != "postgresql":
        yield
        return
    quote = connection.ops.quote_name
    tables = [m._meta.db_table for m in WRITE_ORDER]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, pg_get_indexdef(c.oid)
            FROM pg_index x
            JOIN pg_class c ON c.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            WHERE t.relname = ANY(%s) AND NOT x.indisunique AND NOT x.indisprimary
              AND t.relnamespace = to_regnamespace(current_schema())::oid
            ORDER BY t.relname, c.relname
            """,
            [tables],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            """
            SELECT t.relname, k.conname, pg_get_constraintdef(k.oid)
            FROM pg_constraint k
            JOIN pg_class t ON t.oid = k.conrelid
            WHERE k.contype = 'f' AND t.relname = ANY(%s)
              AND t.relnamespace = to_regnamespace(current_schema())::oid
            ORDER BY t.relname, k.conname
            """,
            [tables],
        )
        foreign_keys = cursor.fetchall()
    restore = [definition for _name, definition in indexes] + [
        f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}"
        for table, name, definition in foreign_keys
    ]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for table, name, _definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {quote(name)}")
    out(
        f"Bulk load: {len(indexes)} secondary indexes and {len(foreign_keys)} foreign keys "
        "set aside, restored after the fill."
    )
    try:
        yield
    finally:
        started = time.monotonic()
        done = 0
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET maintenance_work_mem = '256MB'")
                for done, statement in enumerate(restore, 1):
                    cursor.execute(statement)
                    if done % 20 == 0 or done == len(restore):
                        out(f"  restored {done}/{len(restore)} indexes and foreign keys")
                cursor.execute("RESET maintenance_work_mem")
        except Exception:
            out("Restoring failed; the remaining statements to run are:")
            for statement in restore[max(done - 1, 0) :]:
                out(f"  {statement};")
            raise
        out(f"Indexes and foreign keys restored in {time.monotonic() - started:.0f} s.")


def progress(out: Out, what: str, done: int, total: int, started: float) -> None:
    elapsed = time.monotonic() - started
    rate = done / elapsed if elapsed else 0
    eta = (total - done) / rate if rate else 0
    out(
        f"  {what}: {done:,}/{total:,} ({100 * done / total:.0f} %), "
        f"{rate:,.0f}/s, ~{eta:.0f} s left"
    )


def cumulative(values: Iterable[float]) -> Iterator[float]:
    total = 0.0
    for value in values:
        total += value
        yield total


def chunks(iterable: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk

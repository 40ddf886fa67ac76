"""Every function that writes an audit event runs its change and the event in one transaction:
decorated with ``transaction.atomic`` or holding a ``with transaction.atomic()`` block. ``record``
refuses to run outside one, but only a test without pytest-django's own transaction would see it;
this reads the code, so a decorator left on the wrong function fails here at once."""

from __future__ import annotations

import ast
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "tinnhiem"

# helpers documented to run inside their caller's transaction: the ones that write the event,
# ``make_once`` (what tinnhiem.once.save_once runs in its savepoint), and ensure_closed, which calls
# close_form_evote for each open electronic vote
WRITE_INSIDE_THE_CALLERS = {
    "record_account",
    "record_account_removed",
    "close_form_evote",
    "make_once",
    "_managing_authority",  # a new managing authority, made inside update_body's
}
INSIDE_THE_CALLERS = WRITE_INSIDE_THE_CALLERS | {"ensure_closed"}


def functions():
    """(file name, function) for every function of the code, migrations left out."""
    for path in SOURCE.rglob("*.py"):
        if "migrations" not in path.parts:
            tree = ast.parse(path.read_text(encoding="utf-8"))
            yield from ((path.name, n) for n in ast.walk(tree) if isinstance(n, ast.FunctionDef))


def calls(fn: ast.FunctionDef) -> set[str]:
    return {getattr(n.func, "id", getattr(n.func, "attr", None)) for n in ast.walk(fn) if isinstance(n, ast.Call)}


def holds_a_transaction(fn: ast.FunctionDef) -> bool:
    """Decorated with ``transaction.atomic``, or holding a ``with transaction.atomic()`` block."""
    return any("transaction.atomic" in ast.unparse(d) for d in fn.decorator_list) or any(
        isinstance(n, ast.With) and any("transaction.atomic" in ast.unparse(i.context_expr) for i in n.items)
        for n in ast.walk(fn)
    )


def writers_without_a_transaction() -> set[str]:
    return {
        fn.name for _file, fn in functions() if calls(fn) & {"record", "record_many"} and not holds_a_transaction(fn)
    }


def test_every_function_that_writes_an_event_holds_a_transaction():
    # found by this test: Django's createsuperuser and changepassword, as tinnhiem extends them,
    # wrote their event outside a transaction and failed on a real database after the change
    assert writers_without_a_transaction() == WRITE_INSIDE_THE_CALLERS


def test_the_helpers_that_rely_on_their_caller_are_called_inside_one():
    """Each caller of those helpers is itself in a transaction (or is Django's admin, whose views
    run in one: ModelAdmin.changeform_view is atomic)."""
    callers = {
        (file, fn.name, holds_a_transaction(fn))
        for file, fn in functions()
        if calls(fn) & INSIDE_THE_CALLERS and fn.name not in INSIDE_THE_CALLERS
    }
    unguarded = {(f, name) for f, name, guarded in callers if not guarded}
    assert unguarded == {("admin.py", "save_related")}, unguarded

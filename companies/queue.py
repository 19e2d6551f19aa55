"""Asking for background work from inside the transaction that needs it.

With the database queue (production: `django_tasks_db`, the worker reads the
same database) a task asked for inside a transaction is written in it: its row
commits with the data it works on, in the same durable commit, or goes with a
rollback (a savepoint's included), and nothing can be lost between the two.
Asked for after the commit instead, each task would be a commit of its own:
a payment's receipt and its notice to the members were two more fsyncs than
the payment itself, a ten-invoice payment twenty. With any other backend
(tasks run at once in debug mode and in the tests) the task is asked for
after the commit, since it would otherwise run before the data is there for
good.
"""

from typing import Any

from django.db import connection, transaction
from django_tasks.base import Task


def enqueue_at_commit(task: Task[..., Any], *args: Any, **kwargs: Any) -> None:
    """Queue `task(*args, **kwargs)` to run once the current transaction
    commits, and never if it rolls back."""
    from django_tasks_db import DatabaseBackend  # its models: apps loaded first

    if connection.in_atomic_block and isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(*args, **kwargs)
    else:
        transaction.on_commit(lambda: task.enqueue(*args, **kwargs))

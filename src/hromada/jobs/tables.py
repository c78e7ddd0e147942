from piccolo.columns import Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table


class Job(Table, tablename="job"):
    """One piece of background work (:mod:`hromada.jobs.service`).

    ``state`` is ``queued`` (waiting for ``run_after``), ``running`` (claimed by
    ``locked_by`` until ``locked_until``; a worker that dies lets the lease run
    out and another takes the job over), ``done`` or ``failed`` (out of attempts).
    A ``dedupe_key`` is unique among queued jobs (a partial unique index), so the
    same work asked for twice while it waits is one job.
    """

    id = Serial(primary_key=True)
    kind = Varchar(length=64)
    payload = Text(default="{}")  # JSON
    state = Varchar(length=16, default="queued")
    dedupe_key = Varchar(length=200, null=True, default=None)
    attempts = Integer(default=0)
    max_attempts = Integer(default=5)
    run_after = Timestamptz()
    locked_by = Varchar(length=100, default="")
    locked_until = Timestamptz(null=True, default=None)
    last_error = Text(default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)

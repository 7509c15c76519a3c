"""What a run that joins a job (``--job ID``) may set, and the refusal when it sets what the job
fixed.

A job is made once, with its items and the settings every worker must share (its spec): an
upload's ``--chunk-size``, ``--documents`` and ``--wait-ready``; a removal's categories and
``--missing-ok``. A joiner that sets one of them differently would do its items otherwise than
the job says, so it is refused, naming the flag, the job's value and what to do. Setting it to
the job's own value is fine. What the job holds (its files, its entry ids, its categories) is
never read from a joiner's command line: naming any is refused too, as it would be ignored.
Settings that are each worker's own (``--concurrency``, ``--lease``... and the global options
such as ``--retries`` and ``--timeout``) are honoured: a machine joins with what suits it.

The worker processes ``--workers N`` starts get the maker's own command line, so they are not
checked (``JobRun.worker_only``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import click
from click.core import ParameterSource

from kaltura_mm.commands.failures import CliError
from kaltura_mm.jobs import StoredJob

_NOT_GIVEN = (None, ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP)


def refuse_other_settings(
    job: StoredJob, fixed: Mapping[str, str], held: Sequence[str] = ()
) -> None:
    """Refuse a joiner's flags that differ from the job's: ``fixed`` maps a parameter's name
    to its key in the job's spec; ``held`` names parameters the job holds (items, categories)."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return
    for name in held:
        if _given(ctx, name) and ctx.params.get(name) not in (None, (), False, ""):
            flag = _flag(ctx, name)
            raise CliError(
                f"job {job.job_id} holds its own items and categories: {flag} is not read "
                "when joining it",
                f"drop {flag} and run `kaltura-mm {job.kind} --job {job.job_id}` (with the same "
                "--store), or make a new job with --workers",
            )
    for name, key in fixed.items():
        if not _given(ctx, name) or key not in job.spec:
            continue
        wanted, given = job.spec[key], ctx.params.get(name)
        if given == wanted:
            continue
        flag = _flag(ctx, name)
        raise CliError(
            f"job {job.job_id} was made with {_shown(flag, wanted)}; this run says "
            f"{_shown(flag, given)}, and every worker of a job uses the job's",
            f"drop {flag} when joining the job, or make a new job with --workers and {flag}",
        )


def _given(ctx: click.Context, name: str) -> bool:
    return name in ctx.params and ctx.get_parameter_source(name) not in _NOT_GIVEN


def _flag(ctx: click.Context, name: str) -> str:
    for param in ctx.command.params:
        if param.name == name:
            if isinstance(param, click.Argument):
                return param.human_readable_name
            return max(param.opts, key=len)
    return name


def _shown(flag: str, value: Any) -> str:
    if isinstance(value, bool):
        return flag if value else f"no {flag}"
    return f"{flag} {value}"

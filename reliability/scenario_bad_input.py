"""Bad input: every case of the table (library and CLI) ends in its error family, with a
message naming the problem, no traceback, and nothing created, lost or left open."""

from __future__ import annotations

from reliability.bad_input_cases import CASES, Case
from reliability.bad_input_world import Outcome, World, observe, world
from reliability.harness import Context, Verdict

NAME = "bad_input"
TITLE = "Bad input table"


def matches_family(case: Case, outcome: Outcome) -> bool:
    """Return whether the outcome is in the case's expected family."""
    if isinstance(case.expect, str):
        return outcome.family == case.expect
    import kaltura_mm.errors as errors
    from kaltura_mm.flows import categories

    found = getattr(errors, outcome.family, None) or getattr(categories, outcome.family, None)
    found = found or __builtins__.get(outcome.family) if isinstance(__builtins__, dict) else found
    if found is None:
        import builtins

        found = getattr(builtins, outcome.family, None)
    return isinstance(found, type) and issubclass(found, case.expect)


def problems(case: Case, outcome: Outcome) -> list[str]:
    """Return what is wrong with ``outcome`` for ``case`` (empty when it behaved)."""
    found = []
    if not matches_family(case, outcome):
        found.append(f"ended in {outcome.family}, expected {case.expected_family}")
    missing = [w for w in case.words if w.lower() not in outcome.message.lower()]
    if missing:
        found.append(f"message lacks {missing}: {outcome.message[:200]!r}")
    if outcome.traceback:
        found.append("a traceback was shown")
    if outcome.created != case.creates:
        found.append(f"{outcome.created} entries created (expected {case.creates})")
    if outcome.lost:
        found.append(f"{outcome.lost} entries lost")
    if outcome.open_tokens > 0:
        found.append(f"{outcome.open_tokens} upload tokens left open")
    return found


def run_case(stage: World, case: Case) -> Outcome:
    """Act out one case and observe the server around it."""
    return observe(stage, lambda: case.act(stage))


def run(ctx: Context) -> Verdict:
    """Run every case of the table (the same in smoke and full mode)."""
    verdict = Verdict(NAME, TITLE)
    cli_cases = sum(1 for c in CASES if c.surface == "cli")
    verdict.tried = (
        f"{len(CASES)} cases ({cli_cases} CLI, {len(CASES) - cli_cases} library): missing, "
        "unreadable and empty files, a folder with no media, unknown and ambiguous categories, "
        "garbage/expired/USER KS, wrong partner, http:// to a remote host, truncated JSON, HTML "
        "pages, 413, 429 storms, network down, a file changed and an entry deleted mid-upload, "
        "CSV manifests with bad rows and Excel encodings"
    )
    with world(ctx.scratch(NAME)) as stage:
        for case in CASES:
            outcome = run_case(stage, case)
            wrong = problems(case, outcome)
            detail = f"{outcome.family}: {outcome.message[:160]}" + (
                f" ({outcome.extra})" if outcome.extra else ""
            )
            verdict.check(
                f"{case.id}: {case.what}", not wrong, "; ".join(wrong) if wrong else detail
            )
    good = sum(c.passed for c in verdict.checks)
    verdict.survived = f"{good}/{len(CASES)} cases ended as specified, nothing created or lost"
    verdict.figures = {"cases": len(CASES), "cli_cases": cli_cases, "passed": good}
    return verdict

"""A bench for the model alone: a clock, a partner, calls that run to the end, jobs to step."""

from __future__ import annotations

import json
import random
from typing import Any

from simulation.clock import VirtualClock
from simulation.http import HttpRequest, HttpResponse, json_request, multipart_request
from simulation.knobs import ModelKnobs
from simulation.model import Job, KalturaModel, Pause
from simulation.model.ks import make_ks

URL = "https://model.invalid"
PARTNER = 101
ADMIN_SECRET = "bench-admin-secret"
USER_SECRET = "bench-user-secret"


class Bench:
    """The model on a virtual clock, with a partner and an admin KS."""

    def __init__(self, seed: int = 7, **knobs: Any) -> None:
        self.clock = VirtualClock()
        self.model = KalturaModel(self.clock, ModelKnobs(**knobs), random.Random(seed))
        self.model.add_partner(PARTNER, ADMIN_SECRET, USER_SECRET)
        self.ks = self.make_ks(session_type=2, expiry=30 * 86_400)

    @property
    def state(self) -> Any:
        return self.model.state

    def make_ks(
        self, session_type: int = 2, user: str = "", expiry: int = 86_400, privileges: str = ""
    ) -> str:
        valid_until = int(self.clock.now()) + expiry
        rng = random.Random(1)
        return make_ks(ADMIN_SECRET, PARTNER, valid_until, session_type, user, privileges, rng)

    def advance(self, seconds: float) -> None:
        self.clock.advance_to(self.clock.now() + seconds)

    def run(self, request: HttpRequest) -> HttpResponse:
        """Serve a request alone, letting virtual time pass where it waits."""
        job = self.model.submit(request)
        while True:
            step = job.step()
            if isinstance(step, HttpResponse):
                return step
            if step.until:
                self.clock.advance_to(step.until)

    def request(self, service: str, action: str, **params: Any) -> HttpRequest:
        params.setdefault("ks", self.ks)
        params.setdefault("format", 1)
        return json_request(URL, service, action, params)

    def call(self, service: str, action: str, **params: Any) -> Any:
        """Run one JSON call; return the decoded body (an error object included)."""
        return json.loads(self.run(self.request(service, action, **params)).body)

    def chunk_request(
        self,
        token_id: str,
        data: bytes,
        *,
        resume: bool,
        final: bool,
        resume_at: int = -1,
        name: str = "clip.mp4",
    ) -> HttpRequest:
        params = {
            "ks": self.ks,
            "format": 1,
            "uploadTokenId": token_id,
            "resume": resume,
            "finalChunk": final,
            "resumeAt": resume_at,
        }
        return multipart_request(URL, "uploadtoken", "upload", params, {"fileData": (name, data)})

    def chunk(self, token_id: str, data: bytes, **flags: Any) -> Any:
        return json.loads(self.run(self.chunk_request(token_id, data, **flags)).body)

    def start(self, request: HttpRequest) -> Job:
        return self.model.submit(request)

    def entry(self, name: str = "clip", **fields: Any) -> dict[str, Any]:
        entry = {"objectType": "KalturaMediaEntry", "mediaType": 1, "name": name, **fields}
        return self.call("baseentry", "add", entry=entry)

    def token(self, file_name: str = "clip.mp4") -> dict[str, Any]:
        return self.call("uploadtoken", "add", uploadToken={"fileName": file_name})

    def category(self, path: str) -> int:
        return self.model.seed_category(PARTNER, path)


def step_until_paused(job: Job) -> Pause:
    """Run a job to its next pause (fail if it finishes instead)."""
    step = job.step()
    assert isinstance(step, Pause), f"expected the request to pause, it answered {step}"
    return step


def finish(job: Job, bench: Bench) -> Any:
    """Run a started job to its answer; return the decoded body."""
    while True:
        step = job.step()
        if isinstance(step, HttpResponse):
            return json.loads(step.body)
        if step.until:
            bench.clock.advance_to(step.until)


def error_code(body: Any) -> str | None:
    """Return a KalturaAPIException's code, or None for a result."""
    if isinstance(body, dict) and body.get("objectType") == "KalturaAPIException":
        return str(body["code"])
    return None

"""Sandbox chunk-upload ingest on loopback beside a bare HTTP sink, in the same run.

Both servers use the same stack (stdlib ``http.server``, HTTP/1.1 keep-alive, 1 MiB reads); the
sink reads each body and throws it away, the sandbox parses the multipart stream, writes the chunk
to disk and places it in the upload token. The same httpx client sends the same multipart
``uploadToken.upload`` requests to both. For context the notes give a third server: the sink
also writing each body to a file, the floor for any server that keeps the bytes. Goal: the
sandbox ingests at no less than half the sink's speed, so client benchmarks run against it
measure the client, not the sandbox.

A second row checks memory: ``kaltura-mm sandbox serve --json`` runs in a subprocess, receives a
1 GiB upload (64 MiB in smoke mode) in 8 MiB chunks, and its peak resident set (``VmHWM`` in
``/proc/<pid>/status``) must stay within 150 MiB: chunks are streamed to disk, never held whole.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from benchmarks.harness import Context, Row, median
from kaltura_mm.sandbox import Sandbox

BLOCK = 1 << 20
MIB = 2**20
RSS_LIMIT_MIB = 150


class _SinkHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        """Disable Nagle, as the sandbox does, so both answer without delayed-ACK stalls."""
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet."""

    def do_POST(self) -> None:
        """Read the body and discard it; answer a tiny JSON object."""
        remaining = int(self.headers.get("Content-Length") or 0)
        while remaining:
            block = self.rfile.read(min(BLOCK, remaining))
            if not block:
                break
            remaining -= len(block)
        body = b'{"objectType":"KalturaUploadToken"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _WritingSinkHandler(_SinkHandler):
    """The sink, plus each body written to one file: the floor for any server that keeps bytes."""

    server: _WritingSink

    def do_POST(self) -> None:
        """Read the body into a file (truncated per request); answer a tiny JSON object."""
        remaining = int(self.headers.get("Content-Length") or 0)
        with self.server.target.open("wb") as target:
            while remaining:
                block = self.rfile.read(min(BLOCK, remaining))
                if not block:
                    break
                target.write(block)
                remaining -= len(block)
        body = b'{"objectType":"KalturaUploadToken"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _WritingSink(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, target: Path) -> None:
        super().__init__(("127.0.0.1", 0), _WritingSinkHandler)
        self.target = target


def _start(server: ThreadingHTTPServer) -> str:
    server.daemon_threads = True
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    return f"http://127.0.0.1:{server.server_address[1]}/api_v3/service/uploadtoken/action/upload"


def _send_chunks(
    http: httpx.Client, url: str, fields: dict[str, str], chunk: bytes, count: int
) -> None:
    for index in range(count):
        form = {
            **fields,
            "resume": "false" if index == 0 else "true",
            "finalChunk": "true" if index == count - 1 else "false",
            "resumeAt": str(index * len(chunk)),
        }
        response = http.post(url, data=form, files={"fileData": ("chunk.bin", chunk)})
        response.raise_for_status()


def _sandbox_sample(sb: Sandbox, http: httpx.Client, ks: str, chunk: bytes, count: int) -> float:
    url = f"{sb.service_url}/api_v3/service/uploadtoken/action/upload"
    token = http.post(
        f"{sb.service_url}/api_v3/service/uploadtoken/action/add", json={"ks": ks, "format": 1}
    ).json()["id"]
    started = time.perf_counter()
    _send_chunks(http, url, {"ks": ks, "format": "1", "uploadTokenId": token}, chunk, count)
    elapsed = time.perf_counter() - started
    done = http.post(
        f"{sb.service_url}/api_v3/service/uploadtoken/action/get",
        json={"ks": ks, "format": 1, "uploadTokenId": token},
    ).json()
    if done.get("uploadedFileSize") != str(len(chunk) * count):
        raise RuntimeError(f"sandbox lost bytes: {done}")
    http.post(
        f"{sb.service_url}/api_v3/service/uploadtoken/action/delete",
        json={"ks": ks, "format": 1, "uploadTokenId": token},
    )
    return elapsed


def _sink_sample(url: str, http: httpx.Client, chunk: bytes, count: int) -> float:
    started = time.perf_counter()
    _send_chunks(http, url, {"format": "1", "uploadTokenId": "0_sink"}, chunk, count)
    return time.perf_counter() - started


def _vm_kib(pid: int, field: str) -> int:
    """Return a ``/proc/<pid>/status`` memory field (``VmHWM``, ``VmRSS``) in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} missing from /proc/{pid}/status")


def _serve(data_dir: Path) -> tuple[subprocess.Popen[str], dict[str, object]]:
    """Start ``kaltura-mm sandbox serve --json`` and return it with its announcement."""
    cli = Path(sys.executable).with_name("kaltura-mm")
    command = [str(cli)] if cli.exists() else [sys.executable, "-m", "kaltura_mm.cli"]
    process = subprocess.Popen(
        [*command, "sandbox", "serve", "--json", "--port", "0", "--data-dir", str(data_dir)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        process.kill()
        raise RuntimeError("kaltura-mm sandbox serve --json printed nothing")
    return process, json.loads(line)


def _peak_rss_row(ctx: Context) -> Row:
    """Upload 1 GiB (64 MiB in smoke mode) to a sandbox subprocess; report its peak RSS."""
    chunk_mib, count = (8, 8) if ctx.smoke else (8, 128)
    chunk = os.urandom(chunk_mib * MIB)
    data_dir = ctx.scratch("sandbox-rss")
    process, info = _serve(data_dir)
    try:
        url = f"{info['service_url']}/api_v3/service"
        with httpx.Client(timeout=120) as http:
            ks = http.post(
                f"{url}/session/action/start",
                json={
                    "format": 1,
                    "secret": info["admin_secret"],
                    "partnerId": info["partner_id"],
                    "type": 2,
                },
            ).json()
            start_kib = _vm_kib(process.pid, "VmRSS")
            token = http.post(f"{url}/uploadtoken/action/add", json={"ks": ks, "format": 1})
            fields = {"ks": ks, "format": "1", "uploadTokenId": token.json()["id"]}
            started = time.perf_counter()
            _send_chunks(http, f"{url}/uploadtoken/action/upload", fields, chunk, count)
            elapsed = time.perf_counter() - started
            done = http.post(f"{url}/uploadtoken/action/get", json={**fields, "format": 1}).json()
            if done.get("uploadedFileSize") != str(len(chunk) * count):
                raise RuntimeError(f"sandbox lost bytes: {done}")
        peak_mib = _vm_kib(process.pid, "VmHWM") / 1024
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(data_dir, ignore_errors=True)
    total = chunk_mib * count
    return Row(
        benchmark="sandbox_ingest",
        subject=f"sandbox serve peak RSS receiving {total} MiB ({count} x {chunk_mib} MiB)",
        median=peak_mib,
        unit="MiB",
        target=f"<= {RSS_LIMIT_MIB} MiB",
        passed=peak_mib <= RSS_LIMIT_MIB,
        samples=[peak_mib],
        notes=(
            f"VmHWM of the subprocess; VmRSS before the upload {start_kib / 1024:.0f} MiB; "
            f"{total / elapsed:.0f} MiB/s"
        ),
    )


def run(ctx: Context) -> list[Row]:
    """Alternate sandbox and sink samples (MiB/s and ratio); then a subprocess's peak RSS."""
    return [_throughput_row(ctx), _peak_rss_row(ctx)]


def _throughput_row(ctx: Context) -> Row:
    """Alternate sandbox and sink samples; report MiB/s and the ratio."""
    chunk_mib, count, repeats = (4, 4, 2) if ctx.smoke else (8, 16, 5)
    chunk = os.urandom(chunk_mib * MIB)
    total = chunk_mib * count
    sink = ThreadingHTTPServer(("127.0.0.1", 0), _SinkHandler)
    writing = _WritingSink(ctx.scratch("sandbox-ingest-sink") / "body.bin")
    sink_url, writing_url = _start(sink), _start(writing)
    ours: list[float] = []
    theirs: list[float] = []
    floor: list[float] = []
    try:
        with (
            Sandbox(data_dir=ctx.scratch("sandbox-ingest")) as sb,
            httpx.Client(timeout=120) as http,
        ):
            ks = sb.ks()
            _sink_sample(sink_url, http, chunk, 1)  # warm both paths once
            _sandbox_sample(sb, http, ks, chunk, 1)
            for _ in range(repeats):
                ours.append(total / _sandbox_sample(sb, http, ks, chunk, count))
                theirs.append(total / _sink_sample(sink_url, http, chunk, count))
                floor.append(total / _sink_sample(writing_url, http, chunk, count))
    finally:
        for server in (sink, writing):
            server.shutdown()
            server.server_close()
    ours_median, theirs_median = median(ours), median(theirs)
    return Row(
        benchmark="sandbox_ingest",
        subject=f"sandbox uploadToken.upload ({count} x {chunk_mib} MiB)",
        median=ours_median,
        unit="MiB/s",
        baseline="bare http.server sink (read and discard)",
        baseline_median=theirs_median,
        target=">= 0.5x sink",
        passed=ours_median >= 0.5 * theirs_median,
        samples=ours,
        notes=(
            f"sink samples: {', '.join(f'{s:.0f}' for s in theirs)} MiB/s; the same sink also "
            f"writing each body to a file: {median(floor):.0f} MiB/s "
            f"({median(floor) / theirs_median:.2f}x sink)"
        ),
    )

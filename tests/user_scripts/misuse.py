"""Mistakes the types must catch: ``mypy --strict`` fails on each line marked ``# error``.

``tests/test_typing.py`` checks that mypy reports exactly these lines, and says why.
"""

from __future__ import annotations

import kaltura_mm as kmm

QUERY = kmm.EntryQuery(category_id=42)
REQUEST = kmm.UploadRequest(path="lecture.mp4")


def with_client(client: kmm.Client) -> None:
    """Run a stream, iterate a flow with a result."""
    client.run(kmm.list_entries(QUERY))  # error: run() of a stream
    for _ in client.iterate(kmm.upload_file(REQUEST)):  # error: iterate() of a result
        pass


async def with_async_client(client: kmm.AsyncClient) -> None:
    """The same mistakes under asyncio."""
    await client.run(kmm.list_entries(QUERY))  # error: run() of a stream
    async for _ in client.iterate(kmm.upload_file(REQUEST)):  # error: iterate() of a result
        pass


def with_verbs(client: kmm.Client) -> None:
    """A verb's arguments are its flow's."""
    client.upload(42)  # error: not a path
    client.detach(["0_abc"], "Root>Lectures")  # error: a category id, not a path


def with_one_shot_and_stream_verbs(client: kmm.Client) -> None:
    """A one-shot verb is not a stream, nor a stream a list."""
    for _ in client.upload("lecture.mp4"):  # error: a one-shot verb iterated
        pass
    client.entries(category=42)[0]  # error: a stream indexed


async def with_async_one_shot_and_stream_verbs(client: kmm.AsyncClient) -> None:
    """The same mistakes under asyncio."""
    async for _ in client.upload("lecture.mp4"):  # error: a one-shot verb iterated
        pass
    await client.entries(category=42)  # error: a stream awaited

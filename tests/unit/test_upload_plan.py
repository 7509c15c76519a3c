"""The chunk plan and the chunk state machine (kaltura_mm.upload.plan), rule by rule."""

from __future__ import annotations

import itertools

import attrs
import pytest

from kaltura_mm.upload.plan import (
    MIN_CHUNK_SIZE,
    Chunk,
    ChunkBook,
    Phase,
    backoff_delay,
    balanced_chunk_size,
    plan_chunks,
)

MB = 1_000_000


def test_small_file_is_one_part_sent_final() -> None:
    book = ChunkBook.for_file(1234, chunk_size=MB)
    assert book.chunks == (Chunk(0, 0, 1234),)
    send = book.send_for(book.chunks[0])
    assert (send.resume, send.final_chunk, send.resume_at) == (False, True, 0)


def test_file_of_exactly_one_chunk_is_one_part() -> None:
    assert len(plan_chunks(MB, chunk_size=MB)) == 1


@pytest.mark.parametrize("size", [MB + 1, 3 * MB, 10 * MB + 7, 2 * MB + 100_000])
def test_plan_covers_the_file_without_gap_or_overlap(size: int) -> None:
    chunks = plan_chunks(size, chunk_size=MB, edge_size=200_000)
    assert chunks[0].offset == 0
    for before, after in itertools.pairwise(chunks):
        assert before.end == after.offset
    assert chunks[-1].end == size
    assert all(0 < c.length <= MB for c in chunks)
    assert chunks[0].length <= 200_000 and chunks[-1].length <= 200_000


def test_zero_byte_file_is_refused() -> None:
    with pytest.raises(ValueError, match="0 bytes"):
        plan_chunks(0)


@pytest.mark.parametrize("bad", [MIN_CHUNK_SIZE - 1, 2001 * 1024 * 1024, True])
def test_chunk_size_outside_server_limits_is_refused(bad: int) -> None:
    with pytest.raises(ValueError, match="chunk_size"):
        plan_chunks(10 * MB, chunk_size=bad)


def test_head_alone_then_middles_in_parallel_then_tail_once_every_middle_is_sent() -> None:
    book = ChunkBook.for_file(5 * MB, chunk_size=MB, edge_size=100_000)
    head, *middles, tail = book.chunks
    assert book.phase is Phase.HEAD and book.ready() == (head,)
    assert book.send_for(head).resume is False and book.send_for(head).final_chunk is False
    book = book.start(head)
    assert book.ready() == ()  # nothing may run beside a resume=False part
    book = book.ack(head)
    assert book.phase is Phase.MIDDLE
    assert book.ready(limit=2) == tuple(middles[:2])
    for chunk in middles[:-1]:
        book = book.start(chunk)
    assert tail not in book.ready()  # a middle chunk is still unsent
    book = book.start(middles[-1])
    # Every middle chunk is on the wire: the tail may join them (the server holds it until the
    # parts before it arrive), in a free slot like any chunk.
    assert book.ready() == (tail,) and book.ready(limit=0) == ()
    for chunk in middles:
        send = book.send_for(chunk)
        assert (send.resume, send.final_chunk, send.resume_at) == (True, False, chunk.offset)
        book = book.ack(chunk)
    assert book.phase is Phase.TAIL and book.ready() == (tail,)
    send = book.send_for(tail)
    assert (send.resume, send.final_chunk, send.resume_at) == (True, True, tail.offset)
    book = book.start(tail).ack(tail, completes=True)
    assert book.phase is Phase.DONE and book.bytes_acked == 5 * MB


def test_a_send_the_rules_forbid_is_refused() -> None:
    book = ChunkBook.for_file(5 * MB, chunk_size=MB)
    with pytest.raises(ValueError, match="may not be sent"):
        book.start(book.tail)


def test_failed_chunk_is_pending_again_and_acked_never_resent() -> None:
    book = ChunkBook.for_file(5 * MB, chunk_size=MB)
    book = book.start(book.head).ack(book.head)
    first, second = book.ready(limit=2)
    book = book.start(first).start(second).fail(first).ack(second)
    assert first in book.ready() and second not in book.ready()


def test_recover_confirms_the_contiguous_prefix() -> None:
    book = ChunkBook.for_file(5 * MB, chunk_size=MB, edge_size=100_000)
    book = book.start(book.head).ack(book.head)
    prefix_end = book.chunks[2].end
    book = book.recover(prefix_end, finished=False)
    assert book.acked == {0, 1, 2}


def test_recover_keeps_acks_beyond_prefix_unless_distrusted() -> None:
    book = ChunkBook.for_file(5 * MB, chunk_size=MB, edge_size=100_000)
    book = book.start(book.head).ack(book.head)
    far = book.chunks[4]
    book = book.start(far).ack(far)
    assert 4 in book.recover(book.head.end, finished=False).acked
    assert 4 not in book.recover(book.head.end, finished=False, distrust=True).acked


def test_recover_from_a_finished_token_completes_and_from_empty_restarts() -> None:
    book = ChunkBook.for_file(5 * MB, chunk_size=MB)
    assert book.recover(5 * MB, finished=True).phase is Phase.DONE
    acked = book.start(book.head).ack(book.head)
    assert acked.recover(0, finished=False).acked == frozenset()


def test_backoff_grows_then_caps_with_full_jitter() -> None:
    assert backoff_delay(1, 1.0, 0.5, 30) == 0.5
    assert backoff_delay(4, 1.0, 0.5, 30) == 4.0
    assert backoff_delay(20, 1.0, 0.5, 30) == 30
    assert backoff_delay(4, 0.0, 0.5, 30) == 0.0


def test_tail_waits_while_a_failed_middle_chunk_is_pending_again() -> None:
    book = ChunkBook.for_file(3 * MB, chunk_size=MB, edge_size=100_000)
    book = book.start(book.head).ack(book.head)
    middles = book.chunks[1:-1]
    for chunk in middles:
        book = book.start(chunk)
    book = book.fail(middles[0])
    assert book.ready() == (middles[0],)


@pytest.mark.parametrize(
    ("size", "chunk", "parallel", "middles"),
    [
        (256 * 2**20, 8 * 2**20, 6, 36),  # 32 chunks of 8 MiB would leave a round of 2
        (256 * 2**20, 16 * 2**20, 6, 18),
        (100 * MB, 10 * MB, 4, 12),
        (100 * MB, 10 * MB, 1, 10),
    ],
)
def test_balanced_chunks_fill_every_round(
    size: int, chunk: int, parallel: int, middles: int
) -> None:
    balanced = balanced_chunk_size(size, chunk, 256 * 1024, parallel)
    assert balanced <= chunk
    plan = plan_chunks(size, balanced, 256 * 1024)
    assert len(plan) - 2 == middles and (len(plan) - 2) % parallel == 0
    if parallel > 1:  # even rounds: the chunks differ by rounding only
        lengths = [c.length for c in plan[1:-1]]
        assert max(lengths) - min(lengths) < len(lengths)


def test_balancing_keeps_one_chunk_files_and_the_server_minimum() -> None:
    assert balanced_chunk_size(MB, 2 * MB, 100_000, 6) == 2 * MB
    assert balanced_chunk_size(MB + 1, MB, 100_000, 64) == MIN_CHUNK_SIZE


def test_a_finished_token_is_complete_whatever_size_it_reports() -> None:
    # Last writer wins on uploadedFileSize: a middle chunk that finished after the final one
    # leaves FULL_UPLOAD/CLOSED with a smaller size. The status is the proof of completion.
    book = ChunkBook.for_file(5 * MB, chunk_size=MB, edge_size=100_000)
    recovered = book.recover(2 * MB, finished=True)
    assert recovered.complete and recovered.phase is Phase.DONE


def test_a_partial_token_holding_every_byte_sends_the_tail_again() -> None:
    # A final request refused with CANNOT_MATCH_EXPECTED_SIZE left its part pending and a later
    # chunk appended it: PARTIAL with every byte. Only a final request finishes the token.
    book = ChunkBook.for_file(5 * MB, chunk_size=MB, edge_size=100_000)
    every = frozenset(c.index for c in book.chunks)
    full = attrs.evolve(book, acked=every).recover(5 * MB, finished=False)
    assert not full.complete and full.tail.index not in full.acked
    assert full.phase is Phase.TAIL and full.ready() == (full.tail,)
    assert full.recover(5 * MB, finished=False, distrust=True).ready() == (full.tail,)


def test_a_tail_answered_without_a_finished_token_is_not_acknowledged() -> None:
    book = ChunkBook.for_file(3 * MB, chunk_size=MB, edge_size=100_000)
    for chunk in book.chunks[:-1]:
        book = book.start(chunk).ack(chunk)
    sent = book.start(book.tail)
    assert sent.ack(book.tail, completes=False).ready() == (book.tail,)
    assert sent.ack(book.tail, completes=True).complete

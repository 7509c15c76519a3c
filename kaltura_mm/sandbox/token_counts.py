"""Upload tokens counted by partner, file size and status, kept by triggers: ``totalCount`` at
the cost of a few rows, not of every token the partner ever made.

The real server counts the tokens of an ``uploadToken.list`` with its own query
(``UploadTokenService::listAction``, ``UploadTokenPeer::doCount``): MySQL reads every token of
the partner, since ``upload_token`` has no ``file_size`` index. The sandbox counted the same
way, and a run of 10,000 small files slowed down as it went (issue 20): each list by file size
cost more than the last. The answer stays the one ``COUNT(*)`` gives: the counts are kept by
triggers on every insert, update and delete of a token (whoever writes it), and only a filter
whose every condition is on partner, file size and status is counted from them, with the very
same conditions. A token without a file size is not counted here (no such filter matches it).
"""

from __future__ import annotations

import sqlite3

from kaltura_mm.sandbox.listing import Query

TABLE = "upload_token_counts"

SCHEMA = """
CREATE TABLE IF NOT EXISTS upload_token_counts (
    partner_id INTEGER NOT NULL, file_size REAL NOT NULL, status INTEGER NOT NULL,
    n INTEGER NOT NULL, PRIMARY KEY (partner_id, file_size, status)
);
CREATE TRIGGER IF NOT EXISTS upload_token_counts_insert AFTER INSERT ON upload_tokens
WHEN NEW.file_size IS NOT NULL
BEGIN
    INSERT INTO upload_token_counts (partner_id, file_size, status, n)
    VALUES (NEW.partner_id, NEW.file_size, NEW.status, 1)
    ON CONFLICT (partner_id, file_size, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER IF NOT EXISTS upload_token_counts_delete AFTER DELETE ON upload_tokens
WHEN OLD.file_size IS NOT NULL
BEGIN
    UPDATE upload_token_counts SET n = n - 1
    WHERE partner_id = OLD.partner_id AND file_size = OLD.file_size AND status = OLD.status;
END;
CREATE TRIGGER IF NOT EXISTS upload_token_counts_update
AFTER UPDATE OF partner_id, file_size, status ON upload_tokens
WHEN OLD.partner_id IS NOT NEW.partner_id OR OLD.file_size IS NOT NEW.file_size
    OR OLD.status IS NOT NEW.status
BEGIN
    UPDATE upload_token_counts SET n = n - 1
    WHERE OLD.file_size IS NOT NULL AND partner_id = OLD.partner_id
        AND file_size = OLD.file_size AND status = OLD.status;
    INSERT INTO upload_token_counts (partner_id, file_size, status, n)
    SELECT NEW.partner_id, NEW.file_size, NEW.status, 1 WHERE NEW.file_size IS NOT NULL
    ON CONFLICT (partner_id, file_size, status) DO UPDATE SET n = n + 1;
END;
"""

_FILL = """
INSERT INTO upload_token_counts (partner_id, file_size, status, n)
SELECT partner_id, file_size, status, COUNT(*) FROM upload_tokens
WHERE file_size IS NOT NULL GROUP BY partner_id, file_size, status
"""


def missing(conn: sqlite3.Connection) -> bool:
    """Return whether the database has no counts yet (new, or written by an older sandbox)."""
    found = conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (TABLE,)).fetchone()
    return found is None


def fill(conn: sqlite3.Connection) -> None:
    """Count the tokens already stored (a data folder written before the counts existed)."""
    conn.execute("DELETE FROM upload_token_counts")
    conn.execute(_FILL)


_COLUMNS = ("partner_id ", "file_size ", "status ")


def answers(query: Query) -> bool:
    """Return whether the counts can answer ``query``: a file size asked, and every condition on
    partner, file size or status (a token without a size is not counted: no size matches it)."""
    clauses = query.clauses
    sized = any(c.startswith("file_size = ") for c in clauses)
    return sized and all(c.startswith(_COLUMNS) or c == "0" for c in clauses)


def count_sql(query: Query) -> str:
    """Return the SQL that counts the tokens ``query`` matches (``answers(query)`` is True)."""
    return f"SELECT COALESCE(SUM(n), 0) FROM upload_token_counts WHERE {query.sql()}"  # noqa: S608

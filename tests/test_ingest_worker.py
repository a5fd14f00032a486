"""The editor page's reader runs in a worker process with a time limit (issue #21, finding 7).

No clock in these tests: a limit of a millisecond cannot be met by any read (the answer alone must
cross a process boundary), and "not in this interpreter" is shown by breaking the ingest here and
reading anyway."""

from __future__ import annotations

import pytest

from dashboard.ingest import IngestError, ingest, read_article, worker
from dashboard.ingest.reader import PAGE_LIMIT

# Written for this test (not quoted from any publication).
TEXT = """Drones over Kursk and Sudzha
Published 3 March 2025

Air defence units reported drones over Kursk and Sudzha overnight; about 40 drones were shot down
near Kurakhove two days ago.
"""


@pytest.fixture(autouse=True, scope="module")
def stop_worker():
    yield
    worker.shutdown()


def test_the_worker_reads_what_the_ingest_reads_here():
    article, draft = worker.read_in_worker(TEXT, "pasted.txt", PAGE_LIMIT, seconds=120)
    local = ingest(read_article(TEXT, "pasted.txt"))
    assert article == local.article and draft.to_dict() == local.to_dict()
    assert {p.name for p in draft.places} >= {"Kursk", "Sudzha"}


def test_an_answer_nobody_waited_for_is_not_given_to_the_next_read():
    """A read whose reader stopped waiting leaves its answer in the pipe: the next read, perhaps
    another editor's, must get its own article, not that one (each answer names its read)."""
    worker.read_in_worker(TEXT, "pasted.txt", PAGE_LIMIT, seconds=120)  # a warm worker
    other = TEXT.replace("Drones over Kursk and Sudzha", "Another article about Pokrovsk")
    conn = worker._worker.conn
    conn.send((0, other, "pasted.txt", PAGE_LIMIT, str(worker.default_dir()), True))  # no one waits for read 0
    assert conn.poll(120), "the worker answered it"
    article, _ = worker.read_in_worker(TEXT, "pasted.txt", PAGE_LIMIT, seconds=120)
    assert article.title == "Drones over Kursk and Sudzha"


def test_the_reading_runs_outside_this_interpreter(monkeypatch):
    """Break the ingest in this process: the worker (spawned, with its own imports) still reads."""
    from dashboard.ingest import pipeline

    def broken(*_args, **_kwargs):
        raise AssertionError("the ingest ran in the server's process")

    monkeypatch.setattr(pipeline, "ingest", broken)
    _, draft = worker.read_in_worker(TEXT, "pasted.txt", PAGE_LIMIT, seconds=120)
    assert draft.places


def test_past_the_limit_the_worker_is_replaced_and_the_message_is_one_line():
    with pytest.raises(worker.ReadTimeout) as stopped:
        # A warm worker on a pipe answers the short text within a millisecond: 100 times it cannot.
        worker.read_in_worker(TEXT * 100, "pasted.txt", PAGE_LIMIT, seconds=0.001)
    assert "took longer than 0.001 s and was stopped" in str(stopped.value) and "\n" not in str(stopped.value)
    assert isinstance(stopped.value, IngestError), "the page shows it like any unreadable article"
    _, draft = worker.read_in_worker(TEXT, "pasted.txt", PAGE_LIMIT, seconds=120)  # a fresh worker
    assert draft.places


@pytest.mark.parametrize("raw, expected", [
    (b"\x00\x01binary" * 20, "looks binary"),
    ("Українські підрозділи утримували позиції біля Суджі. " * 5, "Cyrillic script"),
    ("x" * (PAGE_LIMIT + 1), "limit is 200,000 bytes"),
])
def test_bad_input_comes_back_as_one_line(raw, expected):
    with pytest.raises(IngestError, match=expected) as refused:
        worker.read_in_worker(raw, "pasted.txt", PAGE_LIMIT, seconds=120)
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize("value, seconds", [("", 20.0), ("5", 5.0), ("0.5", 0.5), ("-1", 20.0), ("nan", 20.0),
                                            ("soon", 20.0), ("1e9", 20.0)])
def test_the_limit_comes_from_the_environment_or_is_20_s(monkeypatch, value, seconds):
    monkeypatch.setenv(worker.ENV_SECONDS, value)
    assert worker.limit_seconds() == seconds


def test_the_worker_never_imports_the_parents_main_script(tmp_path, monkeypatch):
    """Streamlit (and AppTest) put the page script in sys.modules["__main__"]; a spawned worker
    imported it again (re-running the app, or failing and being restarted forever)."""
    import sys
    import types

    marker = tmp_path / "imported"
    script = tmp_path / "page.py"
    script.write_text(f"open({str(marker)!r}, 'w').close()\nraise NameError('outside its run')\n")
    page = types.ModuleType("__main__")
    page.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", page)
    worker._replace()  # a fresh worker, started while the page script is __main__
    _, draft = worker.read_in_worker(TEXT, "pasted.txt", PAGE_LIMIT, seconds=60)
    assert draft.places and not marker.exists()
    assert sys.modules["__main__"] is page  # the parent's own __main__ is given back

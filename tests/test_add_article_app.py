"""The Add-article page under AppTest: off by default, and with SITUATION_MAP_EDITOR=1 an article
read, reviewed and saved as a draft into a copy of the data; bad inputs refused with one line."""

from __future__ import annotations

import json
import tomllib

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard.data.drafts import validate_draft
from dashboard.ui import app as app_module
from tests.conftest import ROOT

APP = str(ROOT / "dashboard" / "app.py")
# Written for this test (not quoted from any publication).
ARTICLE = """Shelling reported near Sudzha and Kurakhove
Published 12 November 2024

Ukrainian units kept their positions around Sudzha in Kursk Oblast on 12 November, while Russian troops
pushed on towards Kurakhove. Officials spoke of about 50,000 troops gathered near Kursk.
Overnight, shells fell on Oleksandrivka and on the village of Zelenyi Shlyakh.
"""


def nav_pages(monkeypatch) -> dict[str, str]:
    """The pages the app registers, title -> visibility (st.navigation captured, not run)."""
    seen = {}

    class Nav:
        def run(self) -> None:
            pass

    def page(_target, **kwargs):
        return kwargs

    def navigation(pages, **_kwargs):
        seen.update({p["title"]: p.get("visibility", "visible") for p in pages})
        return Nav()

    monkeypatch.setattr(st, "Page", page)  # outside a script run st.Page keeps nothing to read
    monkeypatch.setattr(st, "navigation", navigation)
    monkeypatch.setattr(st, "set_page_config", lambda **_kw: None)
    app_module.run()
    return seen


def open_page(monkeypatch, data=None) -> AppTest:
    if data is not None:
        monkeypatch.setenv("SITUATION_MAP_DATA", str(data))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    # st.Page keys a page by its url_path; AppTest.switch_page only knows files, so pick it by URL.
    at._page_hash = next(h for h, info in at._registered_pages.items() if info.get("url_pathname") == "add-article")
    at.run()
    assert not at.exception, at.exception
    return at


def read(at: AppTest, text: str) -> AppTest:
    at.text_area(key="ed_text").input(text)
    at.button(key="ed_read").click()
    at.run()
    assert not at.exception, at.exception
    return at


def test_off_by_default_hidden_from_the_menu_and_says_so(monkeypatch):
    monkeypatch.delenv("SITUATION_MAP_EDITOR", raising=False)
    assert nav_pages(monkeypatch)["Add an article"] == "hidden"
    monkeypatch.undo()
    monkeypatch.delenv("SITUATION_MAP_EDITOR", raising=False)
    at = open_page(monkeypatch)
    assert "Editing is off on this deployment" in at.info[0].value
    assert "SITUATION_MAP_EDITOR=1" in at.info[0].value
    assert not at.text_area  # nothing to edit with


def test_on_with_the_environment_variable(monkeypatch):
    monkeypatch.setenv("SITUATION_MAP_EDITOR", "1")
    assert nav_pages(monkeypatch)["Add an article"] == "visible"


def test_paste_review_accept_and_save_a_draft(monkeypatch, data_copy):
    monkeypatch.setenv("SITUATION_MAP_EDITOR", "1")
    at = read(open_page(monkeypatch, data_copy), ARTICLE)
    assert not at.error
    tables = {d.key.split("_")[1]: d.value for d in at.dataframe if d.key and d.key.startswith("ed_")}
    assert set(tables) == {"places", "figures"}
    names = list(tables["places"]["name"])
    assert {"Sudzha", "Kurakhove", "Kursk"} <= set(names)
    assert "Zelenyi Shlyakh" in names, "an unresolved place is listed for the editor to fix"
    assert 50000 in list(tables["figures"]["value"])
    # Unresolved places: one placed by choosing a gazetteer candidate.
    choose = next(s for s in at.selectbox if s.label.startswith("Oleksandrivka"))
    choose.select_index(1)
    at.text_input(key=next(k for k in _keys(at) if k.startswith("ed_publisher_"))).input("Test Wire")
    at.text_input(key=next(k for k in _keys(at) if k.startswith("ed_url_"))).input("https://example.org/story")
    at.run()
    at.button(key="ed_save").click()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "Saved" in at.success[0].value and "0 errors" in at.success[0].value
    folder = next((data_copy / "drafts").iterdir())
    assert validate_draft(folder) == []
    article = tomllib.loads((folder / "article.toml").read_text(encoding="utf-8"))
    assert article["sources"][0]["name"] == "Test Wire"
    assert article["articles"][0]["status"] == "draft"
    features = json.loads((folder / "places.geojson").read_text(encoding="utf-8"))["features"]
    saved = {f["properties"]["name"] for f in features}
    assert {"Sudzha", "Kurakhove"} <= saved and "Zelenyi Shlyakh" not in saved  # unplaced: not accepted
    assert any(n.startswith("Oleksandrivka") for n in saved), "the chosen candidate is saved"
    for file in folder.iterdir():
        assert "Ukrainian units kept their positions" not in file.read_text(encoding="utf-8")


def _keys(at: AppTest) -> list[str]:
    return [w.key for w in at.text_input if w.key]


BAD = {
    "empty": ("   \n  ", "paste an article"),
    "another script": ("Українські підрозділи утримували позиції біля Суджі в Курській області. " * 5, "Cyrillic"),
    "binary": ("\x00\x01\x02binary\x00" * 50, "binary"),
    "too big": ("word " * 2_100_000, "limit is 200,000 bytes"),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_bad_input_gets_one_line_and_keeps_the_text(monkeypatch, case):
    monkeypatch.setenv("SITUATION_MAP_EDITOR", "1")
    text, expected = BAD[case]
    at = read(open_page(monkeypatch), text)
    assert len(at.error) == 1 and expected in at.error[0].value.replace("\\", "")
    assert "\n" not in at.error[0].value
    assert at.text_area(key="ed_text").value == text, "the pasted text stays in its box"


def test_html_with_scripts_is_read_as_text_only(monkeypatch):
    monkeypatch.setenv("SITUATION_MAP_EDITOR", "1")
    page = ("<html><head><style>body{display:none}</style></head><body><h1>Strikes near Kursk</h1>"
            "<script>alert('x')</script><p>Drones hit Kursk and Sudzha on 3 March 2025.</p></body></html>")
    at = read(open_page(monkeypatch), page)
    assert not at.error and "scripts and styles were dropped" in at.warning[0].value
    shown = " ".join(h.proto.body for h in at.get("html"))
    assert "alert" not in shown and "display:none" not in shown and "<mark class=\"place\">Sudzha</mark>" in shown


def test_a_read_past_the_time_limit_is_stopped_with_a_message_and_the_next_read_works(monkeypatch):
    """Issue #21, finding 7: reading runs in a worker process with a time limit. A limit of a
    millisecond cannot be met (the answer alone crosses a process boundary), so the read is stopped."""
    monkeypatch.setenv("SITUATION_MAP_EDITOR", "1")
    monkeypatch.setenv("SITUATION_MAP_READ_SECONDS", "0.001")
    at = read(open_page(monkeypatch), ARTICLE)
    if not at.error and not at.dataframe:
        # Neither a message nor a read's tables: the click never reached the page (seen twice in
        # full runs on a loaded machine, never alone). Click again; a read that ignored the limit
        # would show its tables and fail below.
        at.button(key="ed_read").click()
        at.run()
    assert len(at.error) == 1, ([e.value for e in at.error], len(at.dataframe))
    message = at.error[0].value.replace("\\", "")
    assert "took longer than 0.001 s and was stopped" in message and "Nothing was changed" in message
    assert "\n" not in message and not at.dataframe, "no review tables from a stopped read"
    # The killed worker was replaced: with the default limit the same article reads.
    monkeypatch.delenv("SITUATION_MAP_READ_SECONDS")
    at.button(key="ed_read").click()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert {d.key.split("_")[1] for d in at.dataframe if d.key and d.key.startswith("ed_")} == {"places", "figures"}


def _fill_and_save(at: AppTest, draft_id: str) -> AppTest:
    at.text_input(key=next(k for k in _keys(at) if k.startswith("ed_publisher_"))).input("Test Wire")
    at.text_input(key=next(k for k in _keys(at) if k.startswith("ed_url_"))).input("https://example.org/story")
    at.text_input(key=next(k for k in _keys(at) if k.startswith("ed_id_"))).input(draft_id)
    at.run()
    at.button(key="ed_save").click()
    at.run()
    assert not at.exception, at.exception
    return at


# A second article, written for this test.
OTHER = """Drones over Kursk
Published 3 March 2025

Air defence units reported drones over Kursk and Sudzha overnight; about 40 drones were shot down.
"""


def test_a_second_editor_cannot_replace_the_first_ones_draft(monkeypatch, data_copy):
    """Issue #21, finding 12: another article saved under the same draft id is refused, named by its id."""
    monkeypatch.setenv("SITUATION_MAP_EDITOR", "1")
    first = _fill_and_save(read(open_page(monkeypatch, data_copy), ARTICLE), "shared-id")
    assert "Saved the draft “shared-id”" in first.success[0].value.replace("\\", "")
    assert str(data_copy) not in first.success[0].value, "the draft's id, not the server's folder"
    again = _fill_and_save(first, "shared-id")  # the same editor saving the same reading again: replaced
    assert not again.error and "Saved the draft" in again.success[0].value
    saved = (data_copy / "drafts" / "shared-id" / "article.toml").read_text(encoding="utf-8")
    second = _fill_and_save(read(open_page(monkeypatch, data_copy), OTHER), "shared-id")
    assert not second.success and len(second.error) == 1
    message = second.error[0].value.replace("\\", "")
    assert "“shared-id” already exists" in message and "shared-id-2" in message and str(data_copy) not in message
    kept = (data_copy / "drafts" / "shared-id" / "article.toml").read_text(encoding="utf-8")
    assert kept == saved and "Drones over Kursk" not in kept, "the first editor's draft stays"

"""Draft articles: written in the catalog's format, read back by the catalog parser and the layer
reader, refused when wrong, never half-written, and never holding the article's text."""

from __future__ import annotations

import hashlib
import io
import json
import re
import tomllib
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from dashboard.data import drafts
from dashboard.data.catalog import load_catalog
from dashboard.data.drafts import (
    DraftError,
    DraftExists,
    DraftFigure,
    DraftPlace,
    DraftSpec,
    check_spec,
    draft_zip,
    free_id,
    valid_id,
    validate_draft,
    write_draft,
)
from dashboard.data.load import read_layer_file
from dashboard.data.specs import Problem

# Written for this test (not quoted from any publication).
TEXT = ("Ukrainian units kept their positions around Sudzha on 12 November, while Russian troops pushed "
        "towards Kurakhove. Officials spoke of about 50,000 troops gathered near Kursk.\n")


def spec(**changes) -> DraftSpec:
    start = TEXT.index("Sudzha")
    base = DraftSpec(
        id="shelling-near-sudzha", title='Shelling near "Sudzha" \\ <b>bold</b>', publisher="Test Wire",
        date="2024-11-12", url="https://example.org/story", sha256=hashlib.sha256(TEXT.encode()).hexdigest(),
        text_length=len(TEXT),
        places=(DraftPlace("Sudzha", 51.191, 35.271, start, start + 6, geonameid=486816, confidence=0.95),
                DraftPlace("Kurakhove", 47.9847, 37.2807, TEXT.index("Kurakhove"), TEXT.index("Kurakhove") + 9,
                           status="claimed")),
        figures=(DraftFigure("Troops gathered", 50000.0, "about 50,000", TEXT.index("about 50,000"),
                             TEXT.index("about 50,000") + 19),))
    return replace(base, **changes)


def test_a_draft_round_trips_through_the_catalog_parser_and_the_layer_reader(data_copy):
    folder = write_draft(data_copy, spec())
    assert folder == data_copy / "drafts" / "shelling-near-sudzha"
    assert validate_draft(folder) == []
    # The catalog parser reads it as a fragment of the data folder's catalog, as the app will.
    catalog = load_catalog(folder / "article.toml", base=load_catalog(data_copy / "catalog.toml"))
    assert catalog.problems == []
    assert catalog.articles["shelling-near-sudzha"].status == "draft"
    layer = catalog.layers["shelling-near-sudzha-places"]
    assert layer.file == "drafts/shelling-near-sudzha/places.geojson" and layer.source == "shelling-near-sudzha"
    assert catalog.sources["shelling-near-sudzha"].name == "Test Wire"
    assert catalog.figures["shelling-near-sudzha-fig-1"].value == 50000
    start = TEXT.index("about 50,000")
    assert catalog.figures["shelling-near-sudzha-fig-1"].note == f"characters {start}-{start + 19} of the article"
    assert "\\ <b>bold</b>" in layer.title, "stored as data, not escaped"
    problems: list[Problem] = []
    gdf = read_layer_file(data_copy, layer.file, problems)
    assert problems == [] and list(gdf["name"]) == ["Sudzha", "Kurakhove"]
    assert list(gdf["status"]) == ["reported", "claimed"] and gdf["mention_start"].iloc[0] == TEXT.index("Sudzha")
    assert gdf["geonameid"].iloc[0] == 486816 and gdf.geometry.iloc[0].x == pytest.approx(35.271)


@pytest.mark.parametrize("changes, message", [
    ({"id": "Bad Id!"}, "article id"),
    ({"id": "x" * 33}, "article id"),
    ({"url": "javascript:alert(1)"}, "http(s)"),
    ({"url": ""}, "article's URL"),
    ({"date": "12/11/2024"}, "YYYY-MM-DD"),
    ({"title": ""}, "title"),
    ({"places": (DraftPlace("Paris", 48.85, 2.35, 0, 5),)}, "coordinates"),
    ({"places": (DraftPlace("Nowhere", float("nan"), 35.0, 0, 5),)}, "coordinates"),
    ({"places": (DraftPlace("Sudzha", 51.2, 35.3, 0, 99_999),)}, "not inside the article"),
    ({"places": (DraftPlace("Sudzha", 51.2, 35.3, 0, 5, status="rumoured"),)}, "status"),
    ({"figures": (DraftFigure("Troops", float("inf"), "many", 0, 5),)}, "finite"),
    ({"places": (), "figures": ()}, "at least one"),
])
def test_bad_drafts_are_refused_and_nothing_is_written(data_copy, changes, message):
    bad = spec(**changes)
    assert any(message in p for p in check_spec(bad))
    with pytest.raises(DraftError):
        write_draft(data_copy, bad)
    assert not (data_copy / "drafts").exists() or list((data_copy / "drafts").iterdir()) == []


def test_a_clash_with_the_catalog_is_caught_by_validation(data_copy):
    with pytest.raises(DraftError, match="duplicate id 'geonames'"):
        write_draft(data_copy, spec(id="geonames"))
    assert not (data_copy / "drafts" / "geonames").exists()


def test_never_half_written(data_copy, monkeypatch):
    write_draft(data_copy, spec())  # an earlier version of the draft
    old = (data_copy / "drafts" / "shelling-near-sudzha" / "article.toml").read_text()
    real_write = Path.write_text

    def full_disk(self: Path, text: str, *args, **kwargs) -> int:
        if self.name == "places.geojson":
            real_write(self, text[: len(text) // 2], *args, **kwargs)  # half the file, then the disk is full
            raise OSError(28, "No space left on device")
        return real_write(self, text, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", full_disk)
    with pytest.raises(OSError, match="No space left"):
        write_draft(data_copy, spec(title="A new title"), replace=True)
    monkeypatch.undo()
    folder = data_copy / "drafts" / "shelling-near-sudzha"
    assert (folder / "article.toml").read_text() == old, "the earlier draft is untouched"
    assert validate_draft(folder) == []
    assert list((data_copy / drafts.TMP_DIR).iterdir()) == [], "the temporary folder is gone"
    # A first draft that fails mid-write leaves no folder at all.
    monkeypatch.setattr(Path, "write_text", full_disk)
    with pytest.raises(OSError):
        write_draft(data_copy, spec(id="another-draft"))
    assert not (data_copy / "drafts" / "another-draft").exists()


def test_saving_again_replaces_the_draft_only_when_asked(data_copy):
    write_draft(data_copy, spec())
    folder = write_draft(data_copy, spec(title="Second look"), replace=True)
    assert "Second look" in (folder / "article.toml").read_text()
    with pytest.raises(DraftError, match="already exists"):
        write_draft(data_copy, spec())


OTHER_TEXT = "Another article, written for this test, about drones over Kursk and Sudzha on 3 March 2025.\n"


def test_another_article_under_the_same_id_is_refused_and_named_by_its_id(data_copy):
    """Issue #21, finding 12: the second editor's save replaced the first one's draft."""
    first = write_draft(data_copy, spec())
    before = {p.name: p.read_bytes() for p in first.iterdir()}
    other = spec(title="Drones over Kursk", sha256=hashlib.sha256(OTHER_TEXT.encode()).hexdigest(),
                 text_length=len(OTHER_TEXT), places=(DraftPlace("Kursk", 51.73, 36.19, 37, 42),), figures=())
    with pytest.raises(DraftExists) as refused:
        write_draft(data_copy, other)
    message = str(refused.value)
    assert "“shelling-near-sudzha”" in message and "shelling-near-sudzha-2" in message
    assert str(data_copy) not in message and "drafts/" not in message, "the id, not the server's folder"
    assert {p.name: p.read_bytes() for p in first.iterdir()} == before, "the first draft is untouched"
    saved = write_draft(data_copy, replace(other, id=refused.value.suggestion))
    assert saved.name == "shelling-near-sudzha-2" and validate_draft(saved) == []


def test_a_draft_that_appears_during_the_save_is_not_replaced(data_copy, monkeypatch):
    """Two saves of one id at the same moment: the one that renames second is refused."""
    real_validate = drafts.validate_draft

    def other_editor_saves_meanwhile(folder, root=None, article_id=None):
        if not (data_copy / "drafts" / "shelling-near-sudzha").exists():
            monkeypatch.setattr(drafts, "validate_draft", real_validate)
            write_draft(data_copy, spec(title="The other editor's"))
        return real_validate(folder, root, article_id)

    monkeypatch.setattr(drafts, "validate_draft", other_editor_saves_meanwhile)
    with pytest.raises(DraftExists):
        write_draft(data_copy, spec(title="Mine"))
    kept = (data_copy / "drafts" / "shelling-near-sudzha" / "article.toml").read_text()
    assert "The other editor's" in kept and "Mine" not in kept
    assert list((data_copy / drafts.TMP_DIR).iterdir()) == []


@pytest.mark.parametrize("draft_id", ["shelling-near-sudzha\n", "shelling\n", "a\n", "-leading", "UPPER", ""])
def test_draft_ids_are_checked_whole(draft_id):
    assert not valid_id(draft_id)
    assert any("article id" in p for p in check_spec(spec(id=draft_id)))


def test_a_free_id_fits_the_limit(data_copy):
    write_draft(data_copy, spec(id="x" * 32))
    assert free_id(data_copy, "x" * 32) == "x" * 30 + "-2" and valid_id(free_id(data_copy, "x" * 32))
    assert free_id(data_copy, "new-id") == "new-id-2"


def test_figures_alone_need_no_url(data_copy):
    folder = write_draft(data_copy, spec(url="", places=()))
    assert validate_draft(folder) == [] and not (folder / "places.geojson").exists()


def test_the_zip_holds_both_files_and_a_readme():
    z = zipfile.ZipFile(io.BytesIO(draft_zip(spec())))
    names = set(z.namelist())
    assert names == {f"drafts/shelling-near-sudzha/{n}" for n in ("article.toml", "places.geojson", "README.txt")}
    geo = json.loads(z.read("drafts/shelling-near-sudzha/places.geojson"))
    assert len(geo["features"]) == 2
    assert "python -m dashboard.check" in z.read("drafts/shelling-near-sudzha/README.txt").decode()


def test_the_article_text_is_in_no_file_only_offsets_and_its_hash(data_copy):
    folder = write_draft(data_copy, spec())
    written = "".join(p.read_text(encoding="utf-8") for p in folder.iterdir())
    written += "".join(zipfile.ZipFile(io.BytesIO(draft_zip(spec()))).read(n).decode()
                       for n in zipfile.ZipFile(io.BytesIO(draft_zip(spec()))).namelist())
    for sentence in (s.strip() for s in TEXT.split(".") if len(s.strip()) >= 30):
        for i in range(len(sentence) - 29):
            assert sentence[i:i + 30] not in written, "a run of 30 characters of the article"
    assert hashlib.sha256(TEXT.encode()).hexdigest() in written


def test_control_characters_and_quotes_stay_one_toml_value(data_copy):
    title = 'Line one\nline "two"\t\x7f\\end'
    folder = write_draft(data_copy, spec(title=title))
    catalog_text = (folder / "article.toml").read_text()
    assert tomllib.loads(catalog_text)["articles"][0]["title"] == title


def test_the_validator_names_a_broken_file(tmp_path: Path, data_copy):
    folder = write_draft(data_copy, spec())
    (folder / "places.geojson").write_text('{"type": "FeatureCollection", "features": [')
    assert any("not valid JSON" in p.message for p in validate_draft(folder))


def test_a_saved_draft_is_loaded_by_the_map_and_a_broken_one_costs_only_itself(data_copy, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT, fresh

    write_draft(data_copy, spec())
    broken = data_copy / "drafts" / "broken-draft"
    broken.mkdir()
    (broken / "article.toml").write_text('[[articles]]\nid = "broken-draft"\ntitle = 3\n')
    ds = fresh(data_copy)
    assert ds.catalog.articles["shelling-near-sudzha"].status == "draft"
    assert "shelling-near-sudzha-places" in ds.layers
    assert "broken-draft" not in ds.catalog.articles
    assert any(p.file.startswith("drafts/broken-draft") for p in ds.problems)
    assert "oblasts" in ds.layers and ds.history is not None  # the rest still loads
    monkeypatch.setenv("SITUATION_MAP_DATA", str(data_copy))
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=120)
    at.query_params["article"] = "shelling-near-sudzha"
    at.run()
    assert not at.exception
    labels = {m.label.replace("\\", "") for m in at.metric}
    assert "Troops gathered" in labels and "Troops massed (Kursk)" not in labels
    assert "layer_shelling-near-sudzha-places" in {c.key.rsplit(".", 1)[0] for c in at.checkbox}


def test_a_drafts_places_are_named_markers_on_the_map(data_copy):
    from dataclasses import replace as with_

    from dashboard.data.layers import view_bounds
    from dashboard.map.build import build_map
    from tests.conftest import fresh

    write_draft(data_copy, spec())
    ds = fresh(data_copy)
    view = with_(view_bounds(ds).default, article="shelling-near-sudzha")
    html = build_map(ds, view).get_root().render()
    assert re.search(r'sm-place\\" data-rank=\\"\d+\\"\\u003eKurakhove', html), "named like a town"
    assert "undefined" not in html


def test_a_saved_draft_reaches_new_readers_without_a_restart(data_copy):
    from dashboard.data.load import forget_loaded, load_dataset

    assert "shelling-near-sudzha" not in load_dataset(data_copy).catalog.articles
    write_draft(data_copy, spec())
    assert "shelling-near-sudzha" not in load_dataset(data_copy).catalog.articles  # cached per process
    forget_loaded()  # what the editor page does after a save
    assert "shelling-near-sudzha" in load_dataset(data_copy).catalog.articles


def test_a_draft_source_is_attributed_only_on_its_own_article(data_copy):
    from dataclasses import replace as with_

    from dashboard.data.layers import view_bounds
    from dashboard.map.text import attribution_html
    from tests.conftest import fresh

    write_draft(data_copy, spec())
    ds = fresh(data_copy)
    draft_attribution = ds.catalog.sources["shelling-near-sudzha"].attribution
    default = view_bounds(ds).default
    assert "Test Wire" in draft_attribution
    assert "Test Wire" not in attribution_html(ds, default.article)
    assert "Test Wire" in attribution_html(ds, with_(default, article="shelling-near-sudzha").article)
    assert "Natural Earth" in attribution_html(ds, default.article)  # the basemap's source stays

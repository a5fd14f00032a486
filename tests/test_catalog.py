from pathlib import Path

from dashboard.data.catalog import load_catalog
from dashboard.data.load import DEFAULT_DATA
from dashboard.data.specs import STATUSES


def test_shipped_catalog_is_complete():
    cat = load_catalog(DEFAULT_DATA / "catalog.toml")
    assert cat.problems == []
    assert {"oblasts", "occupied", "kursk-salient", "places", "counteroffensive"} <= set(cat.layers)
    for spec in cat.layers.values():
        assert spec.status in STATUSES
        assert spec.source in cat.sources, spec.id
        assert spec.style in cat.styles, spec.id
        assert spec.article_section, spec.id
        assert spec.format == "computed" or (DEFAULT_DATA / spec.file).is_file(), spec.file
    for fig in cat.figures.values():
        assert fig.status in STATUSES and fig.source and fig.date, fig.id
    assert cat.meta is not None and cat.meta.article_date.isoformat() == "2024-11-10"


def test_broken_toml_names_the_line_and_keeps_the_rest(tmp_path: Path):
    text = (DEFAULT_DATA / "catalog.toml").read_text().splitlines()
    at = next(i for i, line in enumerate(text) if line.strip() == 'id = "places"')
    text.insert(at + 1, "this is = = not toml")
    (tmp_path / "catalog.toml").write_text("\n".join(text))
    cat = load_catalog(tmp_path / "catalog.toml")
    assert len(cat.problems) == 1
    assert cat.problems[0].location == str(at + 2)
    assert "not valid TOML" in cat.problems[0].message
    assert "places" not in cat.layers  # the broken block is skipped ...
    assert {"oblasts", "occupied", "kursk-salient", "counteroffensive"} <= set(cat.layers)  # ... the rest loads
    assert cat.meta is not None and set(cat.figures) == set(load_catalog(DEFAULT_DATA / "catalog.toml").figures)


def test_bad_entries_are_reported_and_skipped(tmp_path: Path):
    text = (DEFAULT_DATA / "catalog.toml").read_text()
    text = text.replace('status = "claimed"\nsource = "reports"', 'status = "rumoured"\nsource = "reports"', 1)
    text = text.replace('style = "annotation"', 'style = "no-such-style"', 1)
    text += '\n[[layers]]\nid = "places"\ntitle = "dup"\nfile = "x.geojson"\nstyle = "place"\n' \
            'status = "reported"\nsource = "geonames"\ndate = "2024-01-01"\narticle_section = "x"\n'
    (tmp_path / "catalog.toml").write_text(text)
    cat = load_catalog(tmp_path / "catalog.toml")
    messages = " | ".join(str(p) for p in cat.problems)
    assert "'status' must be one of" in messages
    assert "style 'no-such-style' is not defined" in messages
    assert "duplicate id 'places'" in messages
    assert "kursk-salient" not in cat.layers and "counteroffensive" not in cat.layers
    assert "occupied" in cat.layers and cat.layers["places"].title != "dup"
    # every problem points at a line of the file
    assert all(p.file == "catalog.toml" and p.location.split(" ")[0].isdigit() for p in cat.problems)


def test_unreadable_catalog(tmp_path: Path):
    cat = load_catalog(tmp_path / "missing.toml")
    assert cat.meta is None and "catalog is missing" in cat.problems[0].message

import subprocess
import sys

from tests.conftest import ROOT


def run_check(folder) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dashboard.check", str(folder)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_shipped_data_passes():
    result = run_check(ROOT / "geodata")
    assert result.returncode == 0, result.stdout
    assert "0 error(s)" in result.stderr


def test_broken_copy_fails_naming_file_and_place(data_copy):
    (data_copy / "layers" / "kursk_salient.geojson").write_text('{"type": "FeatureCollection", "feat')
    text = (data_copy / "catalog.toml").read_text().replace('status = "reported"', 'status = "maybe"', 1)
    (data_copy / "catalog.toml").write_text(text)
    result = run_check(data_copy)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert any(line.startswith("layers/kursk_salient.geojson:1:") and "not valid JSON" in line for line in lines)
    assert any(line.startswith("catalog.toml:") and "'status' must be one of" in line for line in lines)


def test_every_problem_is_named_and_nothing_is_a_traceback(data_copy):
    """A folder with several kinds of damage: one line per problem, `file:location: message`."""
    places = data_copy / "layers" / "places.geojson"
    places.write_text(places.read_text().replace("35.271", "NaN", 1))
    (data_copy / "layers" / "oblasts.geojson").write_text("[" * 100_000)
    text = (data_copy / "catalog.toml").read_text().replace('file = "layers/counteroffensive.geojson"',
                                                           'file = "../../etc/passwd"')
    (data_copy / "catalog.toml").write_text(text)
    result = run_check(data_copy)
    assert result.returncode == 1 and "Traceback" not in result.stderr + result.stdout
    lines = result.stdout.splitlines()
    assert "layers/places.geojson:features[0]: coordinates are not finite numbers (NaN or infinity); " \
           "feature left out" in lines
    assert "layers/oblasts.geojson:0: nested too deeply to read" in lines
    assert "../../etc/passwd:path: outside the data folder; not read" in lines
    assert "3 error(s)" in result.stderr


def test_missing_folder_is_named(tmp_path):
    result = run_check(tmp_path / "nowhere")
    assert result.returncode == 1 and "no such data folder" in result.stderr and "Traceback" not in result.stderr


def test_gazetteer_bad_lines_are_named_and_the_rest_loads(data_copy):
    gaz = data_copy / "gazetteer" / "places.tsv"
    lines = gaz.read_text(encoding="utf-8").splitlines()
    first = next(i for i, line in enumerate(lines) if line.split("\t")[0].isdigit())
    cols = lines[first].split("\t")
    lines[first] = "garbage line without tabs"
    lines[first + 1] = "\t".join([*cols[:7], "many", *cols[8:]])
    lines[first + 2] = "\t".join([*cols[:3], "NaN", *cols[4:]])
    gaz.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_check(data_copy)
    assert result.returncode == 1 and "Traceback" not in result.stdout + result.stderr
    out = result.stdout.splitlines()
    assert any(line.startswith(f"gazetteer/places.tsv:{first + 1}:") and "columns" in line for line in out)
    assert any(line.startswith(f"gazetteer/places.tsv:{first + 2}:") and "population" in line for line in out)
    assert any(line.startswith(f"gazetteer/places.tsv:{first + 3}:") and "lat" in line for line in out)
    assert "3 error(s)" in result.stderr


def test_missing_gazetteer_is_named(data_copy):
    (data_copy / "gazetteer" / "places.tsv").unlink()
    result = run_check(data_copy)
    assert result.returncode == 1
    assert any(line.startswith("gazetteer/places.tsv:0:") and "gazetteer is unavailable" in line
               for line in result.stdout.splitlines())


def test_outcome_problems_are_named(data_copy):
    path = data_copy / "outcomes.toml"
    text = path.read_text(encoding="utf-8")
    text = text.replace('source_url = "https://', 'source_url = "javascript:alert(1)//', 1)
    text = text.replace('date = "2025-', 'date = "2099-', 1)
    text = text.replace('date = "2024-11-23"', 'date = "2025-02-30"', 1)
    text = text.replace('status = "claimed"', 'status = "rumoured"', 1)
    path.write_text(text, encoding="utf-8")
    result = run_check(data_copy)
    assert result.returncode == 1
    out = [line for line in result.stdout.splitlines() if line.startswith("outcomes.toml:")]
    assert any("'source_url' must be an http(s) address" in line for line in out), out
    assert any("'date' is not a YYYY-MM-DD date: '2025-02-30'" in line for line in out), out
    assert any("'status' must be one of" in line and "rumoured" in line for line in out), out
    assert any("2099-" in line and "after the history" in line for line in out), out


def test_area_table_without_front_km_is_a_warning(data_copy):
    table = data_copy / "tables" / "occupied_areas.csv"
    rows = [line.rsplit(",", 1)[0] for line in table.read_text().splitlines()]
    table.write_text("\n".join(rows) + "\n")
    result = run_check(data_copy)
    assert result.returncode == 0, result.stdout
    assert any(line.startswith("tables/occupied_areas.csv:") and "warning: " in line and "front_km" in line
               and "line-of-contact" in line for line in result.stdout.splitlines()), result.stdout


def test_damaged_drafts_are_named_with_their_folder(data_copy):
    broken = data_copy / "drafts" / "broken-one"
    broken.mkdir(parents=True)
    (broken / "article.toml").write_bytes(b"\xff\xfe not utf-8")
    dated = data_copy / "drafts" / "bad-date"
    dated.mkdir()
    (dated / "article.toml").write_text('[[figures]]\nid = "bad-date-fig"\nlabel = "x"\nvalue = 1\n'
                                        'status = "reported"\ndate = "2025-13-45"\nsource = "s"\n'
                                        'article_section = "a"\n', encoding="utf-8")
    result = run_check(data_copy)
    assert result.returncode == 1
    out = result.stdout.splitlines()
    assert any(line.startswith("drafts/broken-one/article.toml:0:") for line in out), out
    assert any(line.startswith("drafts/bad-date/article.toml:") and "2025-13-45" in line for line in out), out


def test_overlong_folder_path_is_one_short_line(tmp_path):
    """Issue #21 (13): a 5,000-character path was echoed three times in one 'internal error'."""
    result = run_check(tmp_path / ("a" * 5000))
    out = result.stdout + result.stderr
    assert result.returncode == 1 and "Traceback" not in out
    assert len(out.strip().splitlines()) == 1 and len(out) < 300, out[:400]
    assert "too long" in out.lower()

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

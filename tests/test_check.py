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

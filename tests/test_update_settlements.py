"""The data update extends the settlements table with the days it applies, measured as the build
measures them: a settlement whose point a new day takes in is inside from that day."""

from __future__ import annotations

import geopandas as gpd
import shapely

from dashboard.data.gazetteer import gazetteer_dir, read_gazetteer
from dashboard.data.history import OccupiedHistory
from dashboard.data.load import DEFAULT_DATA
from dashboard.data.settlements import TABLE, load_settlements
from dashboard.data.settlements_table import measured_places
from tests.test_update import D1, LAST, LAYER, run_update, snapshot_file


def test_a_town_a_new_day_takes_in_is_inside_from_that_day(data_copy, tmp_path):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    last = OccupiedHistory(gpd.read_file(DEFAULT_DATA / LAYER)).snapshot(LAST).geometry
    ids, lons, lats = measured_places(read_gazetteer(gazetteer_dir(data_copy)))
    before = load_settlements(data_copy).status_on(LAST)
    points = shapely.points(lons, lats)
    outside = [i for i, p in enumerate(points) if int(ids[i]) not in before]
    # the settlement outside the occupied area closest to it: a small advance takes it in
    nearest = min(outside, key=lambda i: shapely.distance(last, points[i]))
    town = int(ids[nearest])
    grab = shapely.buffer(points[nearest], shapely.distance(last, points[nearest]) + 0.01)
    body = snapshot_file(shapely.union(last, grab))

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            found = self.path.endswith(f"{D1:%Y%m%d}.geojson")
            self.send_response(200 if found else 404)
            self.send_header("Content-Length", str(len(body) if found else 0))
            self.end_headers()
            self.wfile.write(body if found else b"")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert run_update(data_copy, f"http://127.0.0.1:{server.server_port}/data", D1) == 0
    finally:
        server.shutdown()
        server.server_close()
    after = load_settlements(data_copy)
    assert after.table.last == D1
    assert town in after.status_on(D1) and town not in after.status_on(LAST)
    assert before <= after.status_on(D1)  # the advance took nothing out
    assert (data_copy / TABLE).read_text(encoding="utf-8").count("\n") > 0

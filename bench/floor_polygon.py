"""Cold-start floor of this stack: one polygon on a streamlit-folium map, Leaflet served locally."""

import folium
from streamlit_folium import st_folium

m = folium.Map(location=[51.2, 35.3], zoom_start=8, tiles=None)
m.default_js = [("leaflet", "../../app/static/vendor/leaflet/leaflet.js")]
m.default_css = [("leaflet_css", "../../app/static/vendor/leaflet/leaflet.css")]
folium.Polygon([[51.1, 35.1], [51.3, 35.1], [51.3, 35.4], [51.1, 35.4]], fill=True).add_to(m)
st_folium(m, height=600, returned_objects=[])

"""The map: data and a view in, a `folium.Map` (or its pieces) out. Folium, no Streamlit."""

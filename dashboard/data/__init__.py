"""Data: the catalog, loading and checking `geodata/`, history, views and measures. Pure: no
Streamlit and no folium here; every other layer of the dashboard reads data through this one."""

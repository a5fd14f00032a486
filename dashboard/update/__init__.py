"""`python -m dashboard.update`: bring a data folder's occupied-area series up to date from
DeepStateMap's daily files (cyterat/deepstate-map-data).

fetch.py asks for one day's file; state.py reads what the folder holds; days.py checks, measures
and encodes each new day with the build's own code (dashboard/data/series.py); swap.py writes the
result so the folder switches whole; __main__.py is the command line and its report.
"""

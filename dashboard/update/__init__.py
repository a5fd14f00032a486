"""`python -m dashboard.update`: bring a data folder's occupied-area series up to date from
DeepStateMap's daily files (cyterat/deepstate-map-data).

fetch.py asks for one day's file within one deadline; reader.py reads its bytes (hostile input:
a geometry or a named rejection, in a time-bounded child); state.py reads what the folder holds;
days.py checks, measures and encodes each new day with the build's own code
(dashboard/data/series.py); retry.py asks again for days rejected on earlier runs
(update-state.json); swap.py writes the result (write_days) so the folder switches whole;
__main__.py is the command line and its report.
"""

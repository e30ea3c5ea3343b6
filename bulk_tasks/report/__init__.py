"""Report: outcomes → the results file a person opens, and the run's summary.

``table`` builds the results table (results columns, then the input's own), ``summary`` counts it,
``write`` writes CSV or hands XLSX to ``xlsx`` (laid out by ``layout``, cells from ``xlsx_cells``, the
zip from ``xlsx_writer``, large files from ``background_writer``); ``templates`` writes the empty
input sheets.
"""

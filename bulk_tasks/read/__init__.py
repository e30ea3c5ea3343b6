"""Read: a CSV or XLSX file → a text table with spreadsheet row numbers.

Takes a path and the reading options (``--sheet``, ``--timezone``, ``--dayfirst``, ``--phone-region``,
in ``options``); gives every cell as the text a person would expect (``table``; Excel cells by ``xlsx``,
zero-padding number formats by ``numformats``). Nothing here knows a provider.
"""

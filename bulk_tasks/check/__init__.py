"""Check: the text table → which column feeds which field, and every broken rule, row by row.

Takes a table and a provider; gives the header match (``headers``), typed values (``values``, read
through each field kind's reader in ``kinds``) and the pandera schema with the provider's cross-field
rules (``rows``). ``formulas`` recognises text Excel would run. Nothing is sent or written.
"""

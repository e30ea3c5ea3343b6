"""After the send: a past import's results file, looked up, taken back or brought up to date.

Takes a results file this tool wrote (and the journal beside it); gives ``verify`` (settle uncertain
rows, note created tasks gone or edited), ``undo`` (take the tasks back) and the changes of rows
created earlier (``changed``, sent by ``run --update``). Every request goes through the send stage's
engine, journaled as creates are.
"""

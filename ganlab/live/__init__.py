"""A run that a page drives: the runner (commands in, snapshots out), its bounded log, pacing
and the cap on concurrent runs.
"""

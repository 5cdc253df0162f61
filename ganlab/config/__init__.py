"""What a run is: the settings table (fields.py), the frozen RunConfig built from it, the
presets of each variant and data set, and links.
"""

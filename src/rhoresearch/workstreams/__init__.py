"""One module per workstream of the observatory: its datasets (schemas) and its analysis steps.

A workstream imports the layers below it (statistics, ethnicity, disclosure, data, report) and the
shared helpers of this package (modules with a leading underscore), never another workstream.
"""

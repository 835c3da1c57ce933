"""One module per mechanism of MODEL.md, each a pure function of arrays, parameters and rng.

No module here imports Mesa: each can be tested on a handful of employees with
hand-computed results.
"""

"""A firm's own data: what the model lets it observe, the files it fills in, their targets.

`observe` runs the model and takes the surveys and records a firm has (`eachcustomer.sim.survey`
holds the measurement itself); `files` reads and checks the firm's CSV files; `derive`
turns them into calibration targets with tolerances from their own sampling error;
`example` writes the shipped fictional firm (docs/FIRM_DATA.md).
"""

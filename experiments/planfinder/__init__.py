"""The plan finder: the best mix of interventions for a budget, robust to what we do not know.

A plan search spec (experiments/specs/plan_finder.toml) states a budget, the intervention
kinds a plan may spend it on (whom each may cover, when it may start), and the objectives,
each a statistic over replications (and a posterior's parameter draws). NSGA-II (pymoo)
searches the mixes, every candidate evaluated on the same replication seeds through the
sweep executors; the results folder holds the Pareto front, the convergence, the
recommended plan in words and as a scenario file. `eachcustomer plan SPEC --out DIR`.
"""

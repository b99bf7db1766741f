"""The socio-economic ledger per actor (socioekonomiskt bokslut).

Pure, vectorised functions: catalogue and parameters in, contributions per
participant episode and actor out, then aggregated per förbund, project and
actor with present values, transfers and a Monte Carlo over the uncertain
parameters. Never imports dagster.
"""

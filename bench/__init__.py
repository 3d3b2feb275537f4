"""Benchmarks: `make bench` (or `python -m bench`) seeds realistic volumes on the configured
database and reports median and p95 server time and SQL query counts per page.

Framework: `registry` (the `@seeder` and `page` declarations), `runner` (settings, database,
seeding, measuring, report), `fake` (realistic names). Every other module in this package is
imported by the runner and declares seeders and pages for its area (`office`, later
`documents`, `petitions`, …).
"""

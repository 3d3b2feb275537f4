"""`python -m bench [--list] [--only NAME] [--repeat N] [--warmup N] [--scale X]`."""

from bench.runner import main

raise SystemExit(main())

"""`python -m eachcustomer ...`: the command line (see `python -m eachcustomer --help`)."""

from eachcustomer.cli import main

main()

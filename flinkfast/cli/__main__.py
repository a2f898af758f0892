"""`python -m flinkfast.cli`: the same as the `flinkfast` command."""
from flinkfast.cli import entry

entry()

from flinkfast.errors import run
from flinkfast.stack.cli import main

run(main, "stack")

from flinkfast.bench import main
from flinkfast.errors import run

run(main, "bench")

"""`python -m gazebench ...` (and `accelerate launch -m gazebench run ...`) run the CLI."""
from gazebench.cli.main import main

main()

"""Allow ``python -m cwmb``."""

from cwmb.cli.main import main

main()

"""``python -m smartapp``: the same command line as ``smartapp``."""

from smartapp.cli import main

main()

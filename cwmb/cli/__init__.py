"""The ``cwmb`` command line: a thin typer layer over the library, with no logic of its own."""

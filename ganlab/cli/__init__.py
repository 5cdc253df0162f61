"""The command line: main.py (the parser and exit codes) and one module per subcommand."""

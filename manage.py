#!/usr/bin/env python
"""Django's usual entry point; ``grassroots`` (the console command) does the same."""

from grassroots.cli import main

if __name__ == "__main__":
    main()

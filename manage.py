#!/usr/bin/env python
"""Django's manage.py, for developers; users run the ``harbor`` command."""

from harbor.cli import main

if __name__ == "__main__":
    main()

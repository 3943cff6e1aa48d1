"""Exchange rates: dated rates from bundled public sources and operators, cross rates, conversion."""

"""The console's pages, one module per section; importing one registers its views."""

"""Pages of outcomes, one module per concern; outcomes/urls.py wires them."""

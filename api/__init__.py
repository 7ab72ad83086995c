"""The versioned REST surface (/api/v1/) over the domain apps' services and selectors."""

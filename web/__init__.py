"""The server-rendered face: pages, forms, URLs and templates over the domain apps, grouped by what a user does."""

"""The city's registries: districts, streets, buildings and the typed registries built on them."""

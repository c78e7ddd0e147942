"""The dataset catalogue: declared datasets, versions, downloads, CKAN / DCAT / Data Package."""

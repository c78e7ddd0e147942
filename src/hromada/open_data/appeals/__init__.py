"""Contact-centre appeals: import, anonymise, query, aggregate, Open311 view."""

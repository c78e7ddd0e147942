"""A deterministic synthetic city for the demo and the tests.

``city.generate_city(seed)`` lays out districts, streets and buildings; each
domain contributes a :class:`~hromada.demo.parts.DemoPart` that fills its own
tables from that plan (see ``parts.PARTS``).
"""

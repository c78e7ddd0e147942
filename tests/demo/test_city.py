from __future__ import annotations

from hromada.demo.city import DISTRICTS, generate_city, inside_city


def test_same_seed_same_city() -> None:
    assert generate_city(7) == generate_city(7)


def test_other_seed_other_city() -> None:
    assert generate_city(7).buildings != generate_city(8).buildings


def test_city_shape() -> None:
    city = generate_city(1551)
    assert len(city.districts) == 9 == len(DISTRICTS)
    assert 300 <= len(city.streets) <= 1000
    assert 2000 <= len(city.buildings) <= 10000
    assert all(inside_city(b.lat, b.lon) for b in city.buildings)
    # Every district has streets and buildings.
    assert {s.district for s in city.streets} == {d.code for d in city.districts}
    assert {b.district for b in city.buildings} == {d.code for d in city.districts}
    # House numbers are unique on a street.
    seen = {(b.street, b.number) for b in city.buildings}
    assert len(seen) == len(city.buildings)

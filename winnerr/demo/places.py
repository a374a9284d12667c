"""Where the demo brokerage works: four real US cities, real ZIP codes with the neighborhoods they cover and
streets that run through them, each city's telephone area code and its price per square foot.

The house numbers are invented; the prices are plausible for the place (of the order of 2025 listings), not quotes.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Neighborhood:
    zip_code: str
    name: str
    streets: tuple[str, ...]
    price_factor: Decimal
    """Its homes' price per square foot against the city's."""


@dataclass(frozen=True, slots=True)
class City:
    name: str
    state: str
    area_code: str
    price_per_square_foot: int
    """US dollars, for an ordinary home of the city."""
    neighborhoods: tuple[Neighborhood, ...]


def _place(zip_code: str, name: str, factor: str, *streets: str) -> Neighborhood:
    return Neighborhood(zip_code, name, streets, Decimal(factor))


CITIES = (
    City("Austin", "TX", "512", 340, (
        _place("78701", "Downtown", "1.35", "Rainey St", "W 6th St", "Congress Ave"),
        _place("78702", "East Austin", "1.10", "E Cesar Chavez St", "Chicon St", "E 12th St"),
        _place("78703", "Tarrytown", "1.45", "Windsor Rd", "Exposition Blvd", "Enfield Rd"),
        _place("78704", "Bouldin Creek", "1.30", "S 1st St", "W Mary St", "Bouldin Ave"),
        _place("78745", "South Manchaca", "0.85", "Manchaca Rd", "W William Cannon Dr", "Westgate Blvd"),
    )),
    City("Denver", "CO", "303", 360, (
        _place("80202", "LoDo", "1.30", "Wynkoop St", "Blake St", "Market St"),
        _place("80205", "Five Points", "0.95", "Welton St", "Downing St", "Champa St"),
        _place("80206", "Cherry Creek", "1.50", "Clayton St", "Fillmore St", "E 3rd Ave"),
        _place("80209", "Washington Park", "1.35", "S Gaylord St", "S Downing St", "E Exposition Ave"),
        _place("80211", "Highland", "1.15", "W 32nd Ave", "Tejon St", "Zuni St"),
    )),
    City("Portland", "OR", "503", 330, (
        _place("97202", "Sellwood", "1.05", "SE 13th Ave", "SE Tacoma St", "SE Bybee Blvd"),
        _place("97209", "Pearl District", "1.35", "NW Glisan St", "NW 11th Ave", "NW Johnson St"),
        _place("97211", "Alberta Arts", "1.00", "NE Alberta St", "NE Killingsworth St", "NE 15th Ave"),
        _place("97214", "Buckman", "1.10", "SE Belmont St", "SE Morrison St", "SE 20th Ave"),
        _place("97217", "Kenton", "0.85", "N Denver Ave", "N Lombard St", "N Interstate Ave"),
    )),
    City("Raleigh", "NC", "919", 260, (
        _place("27601", "Downtown", "1.25", "Fayetteville St", "S Wilmington St", "E Hargett St"),
        _place("27603", "Boylan Heights", "1.10", "Boylan Ave", "W Cabarrus St", "S Saunders St"),
        _place("27605", "Cameron Village", "1.30", "Oberlin Rd", "Clark Ave", "Smallwood Dr"),
        _place("27608", "Five Points", "1.40", "Whitaker Mill Rd", "Fairview Rd", "Glenwood Ave"),
        _place("27609", "North Hills", "1.15", "Six Forks Rd", "Lassiter Mill Rd", "Dartmouth Rd"),
    )),
)

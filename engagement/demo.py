"""Demo data of the engagement app; ``manage.py load_demo_data`` calls ``load(demo)``."""

from .places import demo as places_demo
from .press import demo as press_demo
from .stakeholders import demo as stakeholders_demo


def load(demo) -> None:
    places_demo.load(demo)
    stakeholders_demo.load(demo)
    press_demo.load_communications(demo)

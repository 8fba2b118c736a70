"""The app the catalog benchmark serves: ``gunicorn catalog_app:app`` from this folder.

It is the real smartapp app, configured from the environment like ``wsgi.py``, loading the
installed plugins plus three small ones below, so the home screen has real tiles even when
no first-party plugin is installed. The three declare only what a tile shows: no routes,
no tables, hence no migrations beyond the core's.
"""

from __future__ import annotations

from importlib.metadata import entry_points

from smartapp import create_app
from smartapp.plugin import Plugin


class BusRoutesPlugin(Plugin):
    """Bus routes"""

    slug = "bus-routes"
    version = "1.0.0"
    core_requires = ">=0.1,<1"
    title = {"vi": "Xe buýt Tây Ninh", "en": "Tây Ninh buses"}
    description = {
        "vi": "Tra cứu tuyến, giờ chạy và vị trí xe buýt trên địa bàn tỉnh.",
        "en": "Routes, timetables and live positions of the province's buses.",
    }
    icon = "directions_bus"
    category = "transport"
    position = 30
    min_app_version = {"android": "3.0.0", "ios": "3.0.0"}


class AirQualityPlugin(Plugin):
    """Air quality"""

    slug = "air-quality"
    version = "0.4.2"
    core_requires = ">=0.1,<1"
    title = {"vi": "Chất lượng không khí", "en": "Air quality"}
    description = {
        "vi": "Chỉ số AQI theo giờ tại các trạm quan trắc và khuyến cáo sức khỏe.",
        "en": "Hourly AQI at the monitoring stations, with health advice.",
    }
    icon = "air"
    category = "environment"
    position = 40
    min_app_version = {"android": "3.1.0"}


class TourismGuidePlugin(Plugin):
    """Tourism guide"""

    slug = "tourism-guide"
    version = "2.1.0"
    core_requires = ">=0.1,<1"
    title = {"vi": "Du lịch Tây Ninh", "en": "Visit Tây Ninh"}
    description = {
        "vi": "Núi Bà Đen, Tòa Thánh Cao Đài, lễ hội, lưu trú và ẩm thực địa phương.",
        "en": "Bà Đen mountain, the Cao Đài Holy See, festivals, stays and local food.",
    }
    icon = "travel_explore"
    category = "tourism"
    position = 50


BENCHMARK_PLUGINS = (BusRoutesPlugin, AirQualityPlugin, TourismGuidePlugin)

installed = [entry_point.load() for entry_point in entry_points(group="smartapp.plugins")]
app = create_app(plugins=[*installed, *BENCHMARK_PLUGINS])

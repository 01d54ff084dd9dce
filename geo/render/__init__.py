"""Presentation: one description of a map (:mod:`geo.render.describe`), drawn by two renderers.

:mod:`geo.render.folium` draws it as an offline Leaflet map, :mod:`geo.render.mpl` as a matplotlib figure; the
public entry points are :mod:`geo.maps` and :mod:`geo.plot`.
"""

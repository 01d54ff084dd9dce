"""Presentation: one description of a map, drawn by two renderers.

:mod:`geo.render.describe` turns analysis results (bands, networks, routes,
rail lines, places) into a :class:`~geo.render.describe.MapSpec`: typed layers
with colours, widths, tooltips and labels, legends, a title and an
attribution. :mod:`geo.render.folium` draws a spec as an offline Leaflet map,
:mod:`geo.render.mpl` as a matplotlib figure. The public entry points stay
:mod:`geo.maps` and :mod:`geo.plot`.
"""

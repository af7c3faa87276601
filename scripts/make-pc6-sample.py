#!/usr/bin/env python3
"""Write data-samples/pc6/pc6.gpkg: a tiny SYNTHETIC PC6 postcode layer for the capaciteitskaart
loader, with the postcodes of the im-capaciteitskaart example
(../shared/data-nl/netbeheer-im-capaciteitskaart/im_capaciteitskaart_dso-20250110.json).

The shapes are invented: three adjacent 100 m x 50 m rectangles in EPSG:28992 (the postcodes in
the example are fictitious too). Run with Debian's python3 (geopandas):

    /usr/bin/python3 scripts/make-pc6-sample.py data-samples/pc6
"""
import sys
from pathlib import Path

import geopandas as gpd
from shapely.geometry import box

out_dir = Path(sys.argv[1] if len(sys.argv) > 1 else "data-samples/pc6")
out_dir.mkdir(parents=True, exist_ok=True)
x0, y0 = 155000.0, 463000.0  # a field near Amersfoort; any place would do
codes = ["1234AC", "1234AD", "1234AE"]
gdf = gpd.GeoDataFrame(
    {"postcode": codes},
    geometry=[box(x0 + 100 * i, y0, x0 + 100 * (i + 1), y0 + 50) for i in range(len(codes))],
    crs="EPSG:28992",
)
path = out_dir / "pc6.gpkg"
if path.exists():
    path.unlink()
gdf.to_file(path, layer="pc6", driver="GPKG",
            layer_options={"DESCRIPTION": "SYNTHETIC PC6 polygons for the capaciteitskaart example; not real postcode areas"})
print(f"wrote {path}: {len(gdf)} SYNTHETIC PC6 polygons")

#!/usr/bin/python3
"""SYNTHETIC sample rasters for ruimte (issue 21): flood depth, subsidence and a WBS class
raster, GeoTIFF in EPSG:28992, over the extent of the sample candidates.

    /usr/bin/python3 scripts/make-raster-samples.py data-samples

Made from data-samples/wbs.gpkg (itself synthetic): its polygons' overstroming_m and
bodemdaling_cm, rasterised, with smooth noise of a fixed seed on top; the class raster is its
klasse as catalogue codes 1..5 (ja .. nee). Debian 12 python3-gdal and python3-numpy.
"""
import os
import sys

import numpy as np
from osgeo import gdal, osr

gdal.UseExceptions()

X0, Y0, X1, Y1 = 40000.0, 300000.0, 270000.0, 620000.0  # covers every sample candidate
CODES = {"ja": 1, "ja_mits_klein": 2, "ja_mits_groot": 3, "nee_tenzij": 4, "nee": 5}
SEED = 20260101


def smooth_noise(rng, shape, scale_cells):
    """Sum of random cosines: smooth, reproducible, no scipy needed."""
    rows, cols = shape
    yy, xx = np.mgrid[0:rows, 0:cols].astype(np.float64)
    out = np.zeros(shape)
    for _ in range(12):
        k = rng.uniform(0.5, 2.0) / scale_cells
        a = rng.uniform(0, np.pi)
        out += np.cos(k * (np.cos(a) * xx + np.sin(a) * yy) + rng.uniform(0, 2 * np.pi))
    return out / np.sqrt(12 / 2)


def rasterize(wbs, cell, sql, nodata, dtype):
    cols, rows = int((X1 - X0) / cell), int((Y1 - Y0) / cell)
    ds = gdal.GetDriverByName("MEM").Create("", cols, rows, 1, dtype)
    ds.SetGeoTransform((X0, cell, 0, Y1, 0, -cell))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(28992)
    ds.SetProjection(srs.ExportToWkt())
    band = ds.GetRasterBand(1)
    band.SetNoDataValue(nodata)
    band.Fill(nodata)
    src = gdal.OpenEx(wbs, gdal.OF_VECTOR)
    lyr = src.ExecuteSQL(sql)
    gdal.RasterizeLayer(ds, [1], lyr, options=["ATTRIBUTE=v"])
    src.ReleaseResultSet(lyr)
    return ds


def write(ds, path, description, predictor):
    gdal.GetDriverByName("GTiff").CreateCopy(
        path, ds, options=["COMPRESS=DEFLATE", f"PREDICTOR={predictor}", "TILED=YES", "BLOCKXSIZE=256",
                           "BLOCKYSIZE=256"])
    out = gdal.Open(path, gdal.GA_Update)
    out.SetMetadataItem("TIFFTAG_IMAGEDESCRIPTION", description)
    out.SetMetadataItem("TIFFTAG_DATETIME", "2026:01:01 00:00:00")
    out = None
    aux = path + ".aux.xml"
    if os.path.exists(aux):
        os.remove(aux)


def main(folder):
    wbs = os.path.join(folder, "wbs.gpkg")
    out = os.path.join(folder, "rasters")
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(SEED)

    # Flood depth (m), 250 m cells: the WBS polygons' overstroming_m, varied within them.
    ds = rasterize(wbs, 250.0, "SELECT geom, overstroming_m AS v FROM wbs", -9999.0, gdal.GDT_Float32)
    a = ds.GetRasterBand(1).ReadAsArray().astype(np.float64)
    valid = a != -9999.0
    n = smooth_noise(rng, a.shape, 12.0)
    depth = np.where(valid, np.clip(a * (1 + 0.45 * n) + 0.25 * n, 0, None), -9999.0)
    # A block with no model result (nodata) in the north-east, to show nodata_share.
    rows, cols = a.shape
    depth[int(rows * 0.10):int(rows * 0.22), int(cols * 0.62):int(cols * 0.80)] = -9999.0
    ds.GetRasterBand(1).WriteArray(np.round(depth, 2).astype(np.float32))
    write(ds, os.path.join(out, "overstroming.tif"),
          "SYNTHETIC flood depth (m) for ruimte samples; not real data, not for decisions", 3)

    # Subsidence to 2050 (cm), 500 m cells: bodemdaling_cm (per 30 years) with noise.
    ds = rasterize(wbs, 500.0, "SELECT geom, bodemdaling_cm AS v FROM wbs", -9999.0, gdal.GDT_Float32)
    a = ds.GetRasterBand(1).ReadAsArray().astype(np.float64)
    valid = a != -9999.0
    n = smooth_noise(rng, a.shape, 8.0)
    sub = np.where(valid, np.clip(a * (1 + 0.3 * n) + 2 * n, 0, None), -9999.0)
    ds.GetRasterBand(1).WriteArray(np.round(sub, 1).astype(np.float32))
    write(ds, os.path.join(out, "bodemdaling.tif"),
          "SYNTHETIC subsidence 2020-2050 (cm) for ruimte samples; not real data, not for decisions", 3)

    # WBS classes as codes 1..5 (the catalogue's order), 100 m cells, 0 = nodata.
    cases = " ".join(f"WHEN '{k}' THEN {v}" for k, v in CODES.items())
    ds = rasterize(wbs, 100.0, f"SELECT geom, CASE klasse {cases} END AS v FROM wbs", 0, gdal.GDT_Byte)
    write(ds, os.path.join(out, "wbs_klassen.tif"),
          "SYNTHETIC WBS classes 1=ja .. 5=nee for ruimte samples; not real data, not for decisions", 2)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "data-samples")

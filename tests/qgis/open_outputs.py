#!/usr/bin/python3
"""Open every layer of ruimte GeoPackages in headless QGIS (Debian python3-qgis) and print
what QGIS sees as JSON, {"layers": [...], "failed_listings": [...]}: per layer validity,
feature count, the default style's renderer, field, classes and colours, labels; and every
file of which QGIS listed no layer, with whether GDAL opens it in the same process and the
process's open files against its limit. With --layout PROJECT.qgz OUT.png: render the project's
first print layout to PNG and print its pixel variance.

QGIS refuses to open a file when the process is within 20 of its limit of open files (soft
RLIMIT_NOFILE; QgsFileUtils::isCloseToLimitOfOpenedFiles) and says so only in its message
log: the script first closes the descriptors it inherited and raises the soft limit to the
hard one, as QGIS's message advises, and prints QGIS's messages to stderr.

Usage: QT_QPA_PLATFORM=offscreen /usr/bin/python3 open_outputs.py OUT.json A.gpkg [B.gpkg ...]
       ... open_outputs.py --layout PROJECT.qgz OUT.png OUT.json
QGIS may crash at exit, so results are written to a file and the script ends with os._exit.
"""
import json
import os
import resource
import sys

from qgis.core import (QgsApplication, QgsCategorizedSymbolRenderer, QgsFeatureRequest, QgsFeatureSource,
                       QgsGeometry, QgsGraduatedSymbolRenderer, QgsProviderRegistry, QgsRectangle, QgsRuleBasedRenderer,
                       QgsVectorLayer)


def colour(sym):
    return sym.color().name() if sym else None


def open_files():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return {"open_files": len(os.listdir("/proc/self/fd")), "soft_limit": soft, "hard_limit": hard}


def make_room_for_files():
    """Closes descriptors inherited from the test harness (this script needs only 0, 1 and 2)
    and raises the soft limit of open files to the hard one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    os.closerange(3, soft if soft != resource.RLIM_INFINITY else 65536)
    if soft != resource.RLIM_INFINITY and (hard == resource.RLIM_INFINITY or soft < hard):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def why_not_listed(path):
    """Whether GDAL opens the file in this process, and the open files against the limit: QGIS's
    message log says why it refused (see above)."""
    from osgeo import gdal
    return {"gdal_opens": gdal.OpenEx(path, gdal.OF_VECTOR | gdal.OF_READONLY) is not None, **open_files()}


def sublayers(path, failed):
    """QGIS's list of the file's layers; an empty one is recorded in `failed`."""
    subs = QgsProviderRegistry.instance().providerMetadata('ogr').querySublayers(path)
    if not subs:
        failed.append({"file": os.path.basename(path), **why_not_listed(path)})
    return subs


def describe(path, failed):
    out = []
    for sub in sublayers(path, failed):
        name = sub.name()
        layer = QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
        r = layer.renderer() if layer.isValid() and layer.isSpatial() else None
        d = {"file": os.path.basename(path), "layer": name, "valid": layer.isValid(),
             "spatial": layer.isSpatial(), "features": layer.featureCount(),
             "renderer": r.type() if r else None, "labels": bool(layer.labelsEnabled())}
        if isinstance(r, QgsCategorizedSymbolRenderer):
            d["field"] = r.classAttribute()
            d["classes"] = [{"value": str(c.value()), "label": c.label(), "colour": colour(c.symbol())} for c in r.categories()]
        elif isinstance(r, QgsGraduatedSymbolRenderer):
            d["field"] = r.classAttribute()
            d["classes"] = [{"lower": g.lowerValue(), "upper": g.upperValue(), "label": g.label(),
                             "colour": colour(g.symbol())} for g in r.ranges()]
        elif isinstance(r, QgsRuleBasedRenderer):
            d["rules"] = [{"filter": rule.filterExpression(), "label": rule.label(), "colour": colour(rule.symbol())}
                          for rule in r.rootRule().children()]
        if layer.isValid() and layer.isSpatial():
            # The spatial index QGIS finds, and a window query through it (the left half of the
            # extent): it returns every feature that meets the window and none whose bounding
            # box misses it.
            d["spatial_index"] = layer.hasSpatialIndex() == QgsFeatureSource.SpatialIndexPresent
            e = layer.extent()
            rect = QgsRectangle(e.xMinimum(), e.yMinimum(), e.center().x(), e.yMaximum())
            got = {f.id() for f in layer.getFeatures(QgsFeatureRequest().setFilterRect(rect))}
            boxes = {f.id() for f in layer.getFeatures() if f.hasGeometry() and f.geometry().boundingBox().intersects(rect)}
            meets = {f.id() for f in layer.getFeatures() if f.hasGeometry() and f.geometry().intersects(QgsGeometry.fromRect(rect))}
            d["window"] = {"got": len(got), "meets": len(meets), "agrees": meets <= got <= boxes}
        if layer.labelsEnabled() and layer.labeling():
            d["label_field"] = layer.labeling().settings().fieldName
        out.append(d)
    return out


def render_layout(project_path, png):
    from qgis.core import QgsLayoutExporter, QgsProject
    from qgis.PyQt.QtGui import QImage
    project = QgsProject.instance()
    ok = project.read(project_path)
    layouts = project.layoutManager().layouts()
    res = {"read": ok, "layers": sorted(l.name() for l in project.mapLayers().values()),
           "valid_layers": sum(1 for l in project.mapLayers().values() if l.isValid()),
           "layouts": [l.name() for l in layouts]}
    if layouts:
        exporter = QgsLayoutExporter(layouts[0])
        settings = QgsLayoutExporter.ImageExportSettings()
        settings.dpi = 100
        res["export"] = exporter.exportToImage(png, settings) == QgsLayoutExporter.Success
        img = QImage(png)
        vals = []
        for y in range(0, img.height(), 7):
            for x in range(0, img.width(), 7):
                c = img.pixelColor(x, y)
                vals.append((c.red() + c.green() + c.blue()) / 3)
        mean = sum(vals) / len(vals) if vals else 0
        res["variance"] = sum((v - mean) ** 2 for v in vals) / len(vals) if vals else 0
        res["size"] = [img.width(), img.height()]
    return res


def main():
    make_room_for_files()
    app = QgsApplication([], False)
    app.initQgis()
    QgsApplication.messageLog().messageReceived.connect(
        lambda message, tag, level: print(f"QGIS message ({tag}): {message}", file=sys.stderr, flush=True))
    if sys.argv[1] == "--layout":
        result = render_layout(sys.argv[2], sys.argv[3])
        target = sys.argv[4]
    else:
        target = sys.argv[1]
        failed = []
        layers = [d for p in sys.argv[2:] for d in describe(p, failed)]
        result = {"layers": layers, "failed_listings": failed}
    with open(target, "w") as f:
        json.dump(result, f, indent=1)
    sys.stdout.flush()
    os._exit(0)


main()

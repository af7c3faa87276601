#!/usr/bin/python3
"""Render ruimte's outputs with real QGIS (headless PyQGIS, Debian python3-qgis) and measure the
pixels, so a test can assert what a person sees, not what the XML says.

  render_outputs.py layers OUT_DIR OUT.json A.gpkg [B.gpkg ...]
      Every spatial layer of every file, with its default style from layer_styles, drawn alone
      on white at its full extent (QgsMapRendererParallelJob, 900 px wide, 96 dpi) to
      OUT_DIR/<file>_<layer>.png. Per layer: the features QGIS gives no symbol, the features
      of which no pixel in their (2 px wider) box differs from the background, and per rule of
      the renderer its fill colour, its feature count and how many pixels have that colour.
  render_outputs.py project PROJECT.qgz OUT.png OUT.json
      The project's CRS (authid, WKT, the SpatialRefSys/ProjectionsEnabled property), layers
      and layouts; its first layout exported with QgsLayoutExporter at 100 dpi to OUT.png, and
      per rule of its first layer the pixels of that colour inside the layout's map item.

QGIS may crash at exit, so results are written to a file and the script ends with os._exit.
"""
import json
import numpy
import os
import resource
import sys

from qgis.core import (QgsApplication, QgsExpressionContext, QgsExpressionContextUtils, QgsMapRendererParallelJob, QgsMapSettings, QgsProject, QgsRectangle,
                       QgsRenderContext, QgsRuleBasedRenderer, QgsVectorLayer)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor, QImage

WIDTH = 900


def make_room_for_files():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    os.closerange(3, soft if soft != resource.RLIM_INFINITY else 65536)
    if soft != resource.RLIM_INFINITY and (hard == resource.RLIM_INFINITY or soft < hard):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def pixels(img):
    """The image as an array of 0xRRGGBB integers, rows by columns."""
    img = img.convertToFormat(QImage.Format_RGB32)
    ptr = img.constBits()
    ptr.setsize(img.sizeInBytes())
    a = numpy.frombuffer(ptr, dtype=numpy.uint32).reshape(img.height(), img.bytesPerLine() // 4)[:, :img.width()]
    return (a & 0xFFFFFF).copy()


def colour_counts(a, box=None):
    """Pixel count per colour (#rrggbb) of the pixel array, or of the box (x0, y0, x1, y1) in it."""
    if box:
        x0, y0, x1, y1 = box
        a = a[max(0, y0):max(0, y1), max(0, x0):max(0, x1)]
    values, counts = numpy.unique(a, return_counts=True)
    return {f"#{int(v):06x}": int(k) for v, k in zip(values, counts)}


def near(counts, colour, tolerance=6):
    """Pixels within `tolerance` per channel of `colour`."""
    want = QColor(colour)
    n = 0
    for c, k in counts.items():
        q = QColor(c)
        if abs(q.red() - want.red()) <= tolerance and abs(q.green() - want.green()) <= tolerance and \
                abs(q.blue() - want.blue()) <= tolerance:
            n += k
    return n


def rules_of(layer):
    """(label, filter, fill colour) of every rule of a rule-based renderer, else of its one symbol."""
    r = layer.renderer()
    if isinstance(r, QgsRuleBasedRenderer):
        return [(rule.label(), rule.filterExpression(), rule.symbol().color().name() if rule.symbol() else None)
                for rule in r.rootRule().children()]
    syms = r.symbols(QgsRenderContext())
    return [("", "", syms[0].color().name() if syms else None)]


def features_per_rule(layer):
    """Features whose first matching rule is each rule (the legend keys QGIS gives a feature)."""
    r = layer.renderer().clone()
    ctx = QgsRenderContext()
    ctx.expressionContext().appendScope(layer.createExpressionContextScope())
    r.startRender(ctx, layer.fields())
    keys = [item.ruleKey() for item in r.legendSymbolItems()]
    per_key = {k: 0 for k in keys}
    without = []
    for f in layer.getFeatures():
        ctx.expressionContext().setFeature(f)
        got = r.legendKeysForFeature(f, ctx)
        if not got:
            without.append(f.id())
        for k in got:
            per_key[k] = per_key.get(k, 0) + 1
    r.stopRender(ctx)
    return [per_key.get(k, 0) for k in keys], without


def render(layers, extent, png, width=WIDTH):
    settings = QgsMapSettings()
    settings.setLayers(layers)
    settings.setDestinationCrs(layers[0].crs())
    settings.setBackgroundColor(QColor(255, 255, 255))
    e = QgsRectangle(extent)
    e.scale(1.08)
    height = int(round(width * e.height() / e.width()))
    settings.setOutputSize(QSize(width, height))
    settings.setExtent(e)
    # What the canvas and a layout give a layer: @map_scale and the other map variables.
    context = QgsExpressionContext()
    context.appendScope(QgsExpressionContextUtils.globalScope())
    context.appendScope(QgsExpressionContextUtils.mapSettingsScope(settings))
    settings.setExpressionContext(context)
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    img = job.renderedImage()
    img.save(png)
    return settings, img


def layer_report(path, name, out_dir):
    layer = QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
    d = {"file": os.path.basename(path), "layer": name, "valid": layer.isValid(), "features": layer.featureCount(),
         "renderer": layer.renderer().type() if layer.isValid() else None}
    if not layer.isValid():
        return d
    png = os.path.join(out_dir, f"{os.path.splitext(d['file'])[0]}_{name}.png")
    settings, img = render([layer], layer.extent(), png)
    d["png"] = png
    d["scale"] = settings.scale()
    m2p = settings.mapToPixel()
    a = pixels(img)
    unseen = []
    for f in layer.getFeatures():
        b = f.geometry().boundingBox()
        p0 = m2p.transform(b.xMinimum(), b.yMaximum())
        p1 = m2p.transform(b.xMaximum(), b.yMinimum())
        box = (int(p0.x()) - 2, int(p0.y()) - 2, int(p1.x()) + 3, int(p1.y()) + 3)
        if sum(k for c, k in colour_counts(a, box).items() if c != "#ffffff") == 0:
            unseen.append(f.id())
    d["unseen"] = unseen
    counts = colour_counts(a)
    per_rule, without = features_per_rule(layer) if isinstance(layer.renderer(), QgsRuleBasedRenderer) else ([], [])
    d["without_symbol"] = without
    d["rules"] = [{"label": label, "filter": flt, "colour": colour, "features": per_rule[i] if i < len(per_rule) else None,
                   "pixels": near(counts, colour) if colour else 0}
                  for i, (label, flt, colour) in enumerate(rules_of(layer))]
    d["labels"] = bool(layer.labelsEnabled())
    return d


def layers_mode(out_dir, target, paths):
    from qgis.core import QgsProviderRegistry
    reports = []
    for path in paths:
        for sub in QgsProviderRegistry.instance().providerMetadata('ogr').querySublayers(path):
            layer = QgsVectorLayer(f"{path}|layername={sub.name()}", sub.name(), "ogr")
            if layer.isValid() and layer.isSpatial():
                reports.append(layer_report(path, sub.name(), out_dir))
    return {"layers": reports}


def project_mode(project_path, png):
    from qgis.core import QgsLayoutExporter, QgsLayoutItemMap
    project = QgsProject.instance()
    res = {"read": project.read(project_path)}
    crs = project.crs()
    res["crs"] = {"authid": crs.authid(), "valid": crs.isValid(), "wkt": crs.toWkt(),
                  "projections_enabled": project.readEntry("SpatialRefSys", "/ProjectionsEnabled", "")[0]}
    res["absolute_paths"] = project.readEntry("Paths", "/Absolute", "")[0]
    layers = [project.layerTreeRoot().findLayer(i).layer() for i in project.layerTreeRoot().findLayerIds()]
    res["layers"] = [{"name": l.name(), "valid": l.isValid()} for l in layers]
    layouts = project.layoutManager().layouts()
    res["layouts"] = [{"name": l.name(), "atlas": l.atlas().enabled(), "atlas_count":
                       (l.atlas().updateFeatures() if l.atlas().enabled() else 0)} for l in layouts]
    if not layouts:
        return res
    layout = layouts[0]
    settings = QgsLayoutExporter.ImageExportSettings()
    settings.dpi = 100
    res["export"] = QgsLayoutExporter(layout).exportToImage(png, settings) == QgsLayoutExporter.Success
    img = QImage(png)
    res["size"] = [img.width(), img.height()]
    maps = [i for i in layout.items() if isinstance(i, QgsLayoutItemMap)]
    if maps and layers:
        r = maps[0].sceneBoundingRect()
        k = 100 / 25.4  # pixels per mm
        box = (int(r.left() * k) + 3, int(r.top() * k) + 3, int(r.right() * k) - 3, int(r.bottom() * k) - 3)
        counts = colour_counts(pixels(img), box)
        res["map_scale"] = maps[0].scale()
        res["rules"] = [{"label": label, "colour": colour, "pixels": near(counts, colour) if colour else 0}
                        for label, _, colour in rules_of(layers[0])]
    atlases = [l for l in layouts if l.atlas().enabled()]
    if atlases:
        # The first page of the atlas (a region), beside OUT.png as OUT_atlas.png.
        atlas = atlases[0].atlas()
        atlas.beginRender()
        atlas.first()
        atlas_png = png[:-4] + "_atlas.png"
        res["atlas_export"] = QgsLayoutExporter(atlases[0]).exportToImage(atlas_png, settings) == QgsLayoutExporter.Success
        res["atlas_page"] = atlas.nameForPage(0)
        img = QImage(atlas_png)
        maps = [i for i in atlases[0].items() if isinstance(i, QgsLayoutItemMap)]
        r = maps[0].sceneBoundingRect()
        box = (int(r.left() * k) + 3, int(r.top() * k) + 3, int(r.right() * k) - 3, int(r.bottom() * k) - 3)
        counts = colour_counts(pixels(img), box)
        res["atlas_map_scale"] = maps[0].scale()
        res["atlas_rules"] = [{"label": label, "colour": colour, "pixels": near(counts, colour) if colour else 0}
                              for label, _, colour in rules_of(layers[0])]
        atlas.endRender()
    return res


def main():
    make_room_for_files()
    app = QgsApplication([], False)
    app.initQgis()
    QgsApplication.messageLog().messageReceived.connect(
        lambda message, tag, level: print(f"QGIS message ({tag}): {message}", file=sys.stderr, flush=True))
    if sys.argv[1] == "layers":
        os.makedirs(sys.argv[2], exist_ok=True)
        result, target = layers_mode(sys.argv[2], sys.argv[3], sys.argv[4:]), sys.argv[3]
    else:
        result, target = project_mode(sys.argv[2], sys.argv[3]), sys.argv[4]
    with open(target, "w") as f:
        json.dump(result, f, indent=1)
    sys.stdout.flush()
    os._exit(0)


main()

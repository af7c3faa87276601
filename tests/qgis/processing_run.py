"""The ruimte Processing provider in headless PyQGIS (tests/cli/qgis_processing.sh runs this).

Usage: processing_run.py PLUGIN_DIR SRC_DIR OUT_DIR
  1. a layer held only in memory (the sample candidates copied into a memory layer) is accepted
     as --candidates: ruimte:score runs and writes OUT_DIR/memory.gpkg, whose layers are queued
     to be loaded into the project with the styles ruimte wrote;
  2. a model (as the Model Designer builds one) with ruimte:score as its step runs and writes
     OUT_DIR/model.gpkg;
  3. Cancel during a long run (sensitivity, 2,000,000 draws, about 2 minutes on one core, cancelled as soon as its first progress line arrives: ruimte prints one every 5 s when stderr is not a terminal) ends it with
     ruimte's exit 130, an exception that says so, progress reported before, and no output file.
Prints one JSON object with what it saw; the shell test checks it.
"""
import json
import os
import sys
import threading
import time

from qgis.core import QgsFeatureRequest, QgsProcessingContext, QgsProject, QgsProcessingException, QgsProcessingFeedback, QgsVectorLayer

from ruimte_provider import start  # noqa: E402 (beside this file)

plugin_dir, src, out = sys.argv[1:4]
app, provider = start(plugin_dir)
import processing  # noqa: E402 (importable once start() has set the path)

seen = {"algorithms": sorted(a.id() for a in provider.algorithms())}

# 1. A memory layer.
shp = QgsVectorLayer(os.path.join(src, "data-samples/kandidaten.shp"), "kandidaten", "ogr")
memory = shp.materialize(QgsFeatureRequest())
seen["memory_provider"] = memory.providerType()
seen["memory_features"] = memory.featureCount()
context = QgsProcessingContext()
context.setProject(QgsProject.instance())
try:
    result = processing.run("ruimte:score", {
        "CANDIDATES": memory,
        "PROFILE": os.path.join(src, "data-samples/woningbouw.toml"),
        "OUTPUT": os.path.join(out, "memory.gpkg"),
        "TIMESTAMP": "2026-01-01T00:00:00Z",
    }, context=context)
    seen["memory_result"] = {k: str(v) for k, v in result.items()}
except QgsProcessingException as e:
    seen["memory_error"] = str(e)
# The layers QGIS loads when the run ends, each opened without its default style and then
# handed to the plugin's post-processor, as QGIS does: the renderer ruimte wrote comes back.
seen["loaded"] = {}
for uri, details in context.layersToLoadOnCompletion().items():
    options = QgsVectorLayer.LayerOptions(QgsProject.instance().transformContext())
    options.loadDefaultStyle = False
    layer = QgsVectorLayer(uri, details.name, "ogr", options)
    before = layer.renderer().type() if layer.renderer() else None
    if details.postProcessor():
        details.postProcessor().postProcessLayer(layer, context, QgsProcessingFeedback())
    seen["loaded"][details.name] = [before, layer.renderer().type() if layer.renderer() else None]

# 2. In a model, as the Model Designer saves it.
from qgis.core import (  # noqa: E402
    QgsProcessingModelAlgorithm,
    QgsProcessingModelChildAlgorithm,
    QgsProcessingModelChildParameterSource,
    QgsProcessingModelOutput,
)

model = QgsProcessingModelAlgorithm("ruimte score model", "ruimte")
child = QgsProcessingModelChildAlgorithm("ruimte:score")
child.setChildId("score")
child.addParameterSources("CANDIDATES", [QgsProcessingModelChildParameterSource.fromStaticValue(
    os.path.join(src, "data-samples/kandidaten.shp"))])
child.addParameterSources("PROFILE", [QgsProcessingModelChildParameterSource.fromStaticValue(
    os.path.join(src, "data-samples/woningbouw.toml"))])
child.addParameterSources("TIMESTAMP", [QgsProcessingModelChildParameterSource.fromStaticValue("2026-01-01T00:00:00Z")])
output = QgsProcessingModelOutput("scored")
output.setChildOutputName("OUTPUT")
output.setChildId("score")
child.setModelOutputs({"scored": output})
model.addChildAlgorithm(child)
model.updateDestinationParameters()
try:
    result = processing.run(model, {"score:scored": os.path.join(out, "model.gpkg")})
    seen["model_result"] = {k: str(v) for k, v in result.items()}
except QgsProcessingException as e:
    seen["model_error"] = str(e)

# 3. Cancel.
feedback = QgsProcessingFeedback()
progress = []


def cancel_on_progress():
    # Polls (a Qt signal from the plugin's reader thread would be queued to an event loop
    # this script does not run): Cancel as soon as ruimte has reported progress.
    deadline = time.monotonic() + 90  # in case no progress ever comes
    while time.monotonic() < deadline and not feedback.isCanceled():
        if feedback.progress() > 0:
            progress.append(feedback.progress())
            break
        time.sleep(0.1)
    feedback.cancel()


threading.Thread(target=cancel_on_progress, daemon=True).start()
started = time.monotonic()
try:
    processing.run("ruimte:sensitivity", {
        "CANDIDATES": os.path.join(src, "data-samples/kandidaten.shp"),
        "PROFILE": os.path.join(src, "data-samples/woningbouw.toml"),
        "OUTPUT": os.path.join(out, "cancelled.gpkg"),
        "DRAWS": 2000000,
        "THREADS": 1,
    }, feedback=feedback)
    seen["cancel_error"] = None
except QgsProcessingException as e:
    seen["cancel_error"] = str(e)
seen["cancel_seconds"] = round(time.monotonic() - started, 1)
seen["cancel_progress"] = max(progress) if progress else None
seen["cancel_output_exists"] = os.path.exists(os.path.join(out, "cancelled.gpkg"))
print(json.dumps(seen))
sys.stdout.flush()
os._exit(0)  # skip exitQgis(): its teardown can crash headless PyQGIS, after the result is out

"""Renders the Processing dialog of ruimte:score offscreen to a PNG (docs/img/qgis_score_dialog.png).

Usage: QT_QPA_PLATFORM=offscreen RUIMTE_EXECUTABLE=build/cli/ruimte python3 dialog_screenshot.py PLUGIN_DIR OUT.png
"""
import os
import sys

from qgis.core import QgsApplication

from ruimte_provider import start  # noqa: E402 (beside this file)

plugin_dir, out = sys.argv[1:3]
app, provider = start(plugin_dir, gui=True)
from processing.gui.AlgorithmDialog import AlgorithmDialog  # noqa: E402 (importable once started)

alg = QgsApplication.processingRegistry().createAlgorithmById("ruimte:score")
dialog = AlgorithmDialog(alg)
dialog.resize(1100, 800)
dialog.show()
for _ in range(20):
    app.processEvents()
ok = dialog.grab().save(out)
print("saved" if ok else "not saved", out, os.path.getsize(out) if ok else 0)
sys.stdout.flush()
os._exit(0 if ok else 1)

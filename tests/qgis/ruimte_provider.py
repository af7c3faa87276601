"""Starts headless QGIS with Processing and the ruimte provider from PLUGIN_DIR (for the test
scripts beside this file). Returns (app, provider); keep app alive while QGIS is used."""
import sys

from qgis.core import QgsApplication


def start(plugin_dir, gui=False):
    app = QgsApplication([], gui)
    app.initQgis()
    sys.path.insert(0, "/usr/share/qgis/python/plugins")
    sys.path.insert(0, plugin_dir)
    from processing.core.Processing import Processing
    from ruimte_processing.provider import RuimteProvider

    Processing.initialize()
    provider = RuimteProvider()
    QgsApplication.processingRegistry().addProvider(provider)
    return app, provider

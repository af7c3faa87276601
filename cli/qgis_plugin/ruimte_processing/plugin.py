"""Registers the ruimte Processing provider (in QGIS and in qgis_process)."""
from qgis.core import QgsApplication

from .provider import RuimteProvider


class RuimtePlugin:
    def __init__(self, iface):
        self.iface = iface
        self.provider = None

    def initProcessing(self):  # noqa: N802 (QGIS's name)
        if self.provider is not None:  # QGIS may call both initProcessing and initGui
            return
        self.provider = RuimteProvider()
        QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self):  # noqa: N802
        self.initProcessing()

    def unload(self):
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None

"""ruimte in the QGIS Processing toolbox: the plugin entry point (see provider.py)."""


def classFactory(iface):  # noqa: N802 (QGIS's name)
    from .plugin import RuimtePlugin

    return RuimtePlugin(iface)

"""The ruimte Processing provider: one algorithm per command that `ruimte --describe` lists.

Nothing here names a command or an option: they come from the JSON the ruimte program prints
(cli/describe.cpp), so a new command or option appears in QGIS with no change to this plugin.
"""
import json
import os
import shutil
import subprocess

from qgis.core import Qgis, QgsMessageLog, QgsProcessingProvider

from .algorithm import RuimteAlgorithm

PLUGIN_DIR = os.path.dirname(os.path.abspath(__file__))


def find_ruimte():
    """The ruimte program: $RUIMTE_EXECUTABLE, else PREFIX/bin/ruimte when the plugin was
    installed by `cmake --install` into PREFIX/share/ruimte/qgis/ruimte_processing, else PATH."""
    env = os.environ.get("RUIMTE_EXECUTABLE")
    if env:
        return env
    prefix = os.path.normpath(os.path.join(PLUGIN_DIR, "..", "..", "..", ".."))
    beside = os.path.join(prefix, "bin", "ruimte")
    if os.access(beside, os.X_OK):
        return beside
    return shutil.which("ruimte")


def describe(executable):
    """The parsed `ruimte --describe`, or raises RuntimeError with the reason."""
    if not executable:
        raise RuntimeError("the ruimte program was not found: put it on PATH or set RUIMTE_EXECUTABLE")
    # The JSON is UTF-8 (the Dutch texts have ë, é), whatever the system's code page is.
    proc = subprocess.run([executable, "--describe"], capture_output=True, text=True, encoding="utf-8",
                          timeout=60)
    if proc.returncode != 0:
        raise RuntimeError(f"{executable} --describe failed ({proc.returncode}): {proc.stderr.strip()}")
    return json.loads(proc.stdout)


class RuimteProvider(QgsProcessingProvider):
    def __init__(self):
        super().__init__()
        self.executable = find_ruimte()
        self.description = None
        self.problem = None

    def id(self):  # noqa: A003
        return "ruimte"

    def name(self):
        return "ruimte"

    def longName(self):  # noqa: N802
        return f"ruimte ({self.executable})" if self.executable else "ruimte (program not found)"

    def loadAlgorithms(self):  # noqa: N802
        try:
            self.description = describe(self.executable)
            self.problem = None
        except (OSError, RuntimeError, ValueError, subprocess.SubprocessError) as e:
            self.description = None
            self.problem = str(e)
            QgsMessageLog.logMessage(f"ruimte: no algorithms: {e}", "ruimte", Qgis.Warning)
            return
        for command in self.description.get("commands", []):
            self.addAlgorithm(RuimteAlgorithm(self.executable, command, self.description.get("exit_codes")))

"""One Processing algorithm for one ruimte command, built from its `ruimte --describe` entry.

Parameter names are the option names in upper case ("--id-field" is ID_FIELD, "-o,--output" is
OUTPUT, the positional "input" is INPUT). How each option type becomes a parameter:

  layer        vector layer (a layer open in the project or a file; written to a temporary
               GeoPackage when it is not file-backed, e.g. a memory layer)
  repeatable   layer items: multiple layers; other items: text, one value per line
  file         file
  field        text (the attribute name; ruimte checks it and says which fields exist)
  number       number (integer or decimal, with the range ruimte checks)
  enum         choice
  flag         checkbox (--quiet and --overwrite are set by the plugin: see below)
  output       file (or folder) destination; optional ones are off unless given
  text         text

ruimte runs as a child process. Its progress lines on stderr ("stage: done/total") drive the
progress bar, its notes go to the log, Cancel sends SIGINT (ruimte stops, removes its partial
output and exits 130), and a failure raises ruimte's own message, Fix included.
"""
import os
import re
import signal
import subprocess
import threading
import time

from qgis.core import (
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingLayerPostProcessorInterface,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorLayer,
    QgsProcessingUtils,
    QgsProviderRegistry,
    QgsSettings,
    QgsVectorFileWriter,
    QgsVectorLayer,
)

# Options the plugin sets itself: progress must reach QGIS, and the output file dialog has
# already asked whether to replace an existing file.
MANAGED = {"quiet": None, "overwrite": True}
PROGRESS = re.compile(r"^(.+): (\d+)/(\d+)$")
RANGE = re.compile(r"in \[([-+0-9.e]+) - ([-+0-9.e]+)\]")


def dutch():
    """True when QGIS speaks Dutch: the environment variable RUIMTE_LANG, else QGIS's locale
    (QgsSettings 'locale/userLocale', which QGIS sets from Settings > Options > General or from
    the system), starts with 'nl' (nl, nl_NL, nl_BE)."""
    lang = os.environ.get("RUIMTE_LANG") or str(QgsSettings().value("locale/userLocale", "") or "")
    return lang.lower().startswith("nl")


def text_in(texts):
    """The Dutch text when QGIS speaks Dutch and there is one, else the English."""
    if not isinstance(texts, dict):
        return texts or ""
    return (dutch() and texts.get("nl")) or texts.get("en") or ""


def said(en, nl):
    """The plugin's own words in the language text_in picks."""
    return nl if dutch() else en


def short_label(option):
    """The help text up to its first ': ' or ' (' ("Candidate areas"), and the switch."""
    text = text_in(option.get("help")).split("\n")[0]
    for cut in (": ", " ("):
        at = text.find(cut)
        if at > 3:
            text = text[:at]
    if len(text) > 70:
        text = text[:67] + "..."
    return f"{text} [{option.get('switch') or option['name']}]"


def param_name(option):
    return option["name"].upper().replace("-", "_")


class LoadDefaultStyle(QgsProcessingLayerPostProcessorInterface):
    """Applies the style ruimte wrote to the GeoPackage's layer_styles table."""

    instances = []  # kept alive for QGIS (it holds only a C++ pointer)

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802
        if isinstance(layer, QgsVectorLayer):
            layer.loadDefaultStyle()
            layer.triggerRepaint()

    @classmethod
    def create(cls):
        instance = cls()
        cls.instances.append(instance)
        return instance


class RuimteAlgorithm(QgsProcessingAlgorithm):
    def __init__(self, executable, command, exit_codes=None):
        super().__init__()
        self.executable = executable
        self.command = command
        self.exit_codes = exit_codes or {}

    # --- identity -------------------------------------------------------------------------
    def createInstance(self):  # noqa: N802
        return RuimteAlgorithm(self.executable, self.command, self.exit_codes)

    def name(self):
        return self.command["name"]

    def displayName(self):  # noqa: N802
        return self.command["name"]

    def group(self):
        return "ruimte"

    def groupId(self):  # noqa: N802
        return "ruimte"

    def shortDescription(self):  # noqa: N802
        return text_in(self.command.get("summary"))

    def shortHelpString(self):  # noqa: N802
        lines = [text_in(self.command.get("summary")), ""]
        for option in self.command["options"]:
            if option["name"] in MANAGED:
                continue
            lines.append(f"<b>{param_name(option)}</b> ({option.get('switch') or option['name']}): "
                         f"{text_in(option.get('help'))}")
        footer = self.command.get("footer", "")
        if footer:
            lines += ["", "<pre>" + footer.replace("&", "&amp;").replace("<", "&lt;") + "</pre>"]
        return "<br>".join(lines)

    def helpUrl(self):  # noqa: N802
        return ""

    # --- parameters -------------------------------------------------------------------------
    def initAlgorithm(self, config=None):  # noqa: N802
        for option in self.command["options"]:
            if option["name"] in MANAGED:
                continue
            p = self.parameter_for(option)
            if p is not None:
                p.setHelp(text_in(option.get("help")))
                self.addParameter(p)
        self.addOutput(QgsProcessingOutputString("STDOUT", said("ruimte's report (stdout)",
                                                                  "Rapport van ruimte (stdout)")))

    def parameter_for(self, option):
        name = param_name(option)
        label = short_label(option)
        optional = not option.get("required", False)
        kind = option["type"]
        default = option.get("default")
        if kind == "repeatable":
            if option.get("item") == "layer":
                return QgsProcessingParameterMultipleLayers(name, label, QgsProcessing.TypeVectorAnyGeometry,
                                                            optional=optional)
            return QgsProcessingParameterString(name, label + said(", one per line", ", één per regel"), multiLine=True, optional=optional)
        if kind == "layer":
            return QgsProcessingParameterVectorLayer(name, label, [QgsProcessing.TypeVectorAnyGeometry],
                                                     optional=optional)
        if kind == "file":
            help_en = (option.get("help") or {}).get("en", "")
            ext = "toml" if "TOML" in help_en else ("csv" if "CSV" in help_en else
                                                      ("gpkg" if "GeoPackage" in help_en or "ruimte score" in help_en else ""))
            return QgsProcessingParameterFile(name, label, extension=ext, optional=optional)
        if kind == "number" and not option.get("items"):
            integer = option.get("cli_type", "").split(":")[0] in ("INT", "UINT")
            p = QgsProcessingParameterNumber(
                name, label, QgsProcessingParameterNumber.Integer if integer else QgsProcessingParameterNumber.Double,
                defaultValue=float(default) if default not in (None, "") else None, optional=optional)
            m = RANGE.search(option.get("cli_type", ""))
            if m:
                p.setMinimum(float(m.group(1)))
                p.setMaximum(float(m.group(2)))
            elif option.get("cli_type", "").startswith("UINT"):
                p.setMinimum(0)
            return p
        if kind == "enum":
            # Static strings: the value is the choice itself (LANG=en in qgis_process), not its index.
            choices = option.get("choices", [])
            p = QgsProcessingParameterEnum(name, label, options=choices, optional=optional)
            p.setUsesStaticStrings(True)
            p.setDefaultValue(default if default in choices else None)
            return p
        if kind == "flag":
            return QgsProcessingParameterBoolean(name, label, defaultValue=False, optional=True)
        if kind == "output":
            formats = option.get("formats", [])
            if formats == ["folder"]:
                p = QgsProcessingParameterFolderDestination(name, label, optional=optional, createByDefault=not optional)
            else:
                filt = ";;".join(f"{f.upper()} files (*.{f})" for f in formats) or "All files (*)"
                p = QgsProcessingParameterFileDestination(name, label, filt, optional=optional,
                                                          createByDefault=not optional)
            return p
        if option.get("items"):
            label += said(" ({} values, separated by '{}')", " ({} waarden, gescheiden door '{}')").format(
                option["items"], option.get("delimiter") or " ")
        return QgsProcessingParameterString(name, label, defaultValue=default, optional=optional)

    # --- running ----------------------------------------------------------------------------
    def layer_source(self, layer, context, feedback):
        """FILE[:LAYER] for a layer: its file when it has one, else a temporary GeoPackage."""
        if layer.providerType() == "ogr":
            parts = QgsProviderRegistry.instance().decodeUri("ogr", layer.source())
            path = parts.get("path") or ""
            if path and os.path.isfile(path) and not parts.get("subset"):
                name = parts.get("layerName")
                return f"{path}:{name}" if name else path
        path = QgsProcessingUtils.generateTempFilename(f"{layer.name() or 'layer'}.gpkg")
        options = QgsVectorFileWriter.SaveVectorOptions()
        options.driverName = "GPKG"
        options.layerName = re.sub(r"\W+", "_", layer.name() or "layer")
        write = getattr(QgsVectorFileWriter, "writeAsVectorFormatV3", None) or QgsVectorFileWriter.writeAsVectorFormatV2
        result = write(layer, path, context.transformContext(), options)
        if result[0] != QgsVectorFileWriter.NoError:
            raise QgsProcessingException(f"cannot write layer '{layer.name()}' to {path}: {result[1]}")
        feedback.pushInfo(f"layer '{layer.name()}' is not a file: written to {path}")
        return f"{path}:{options.layerName}"

    def arguments(self, parameters, context, feedback):
        positional, args, outputs = [], [], {}
        for option in self.command["options"]:
            name, kind, switch = option["name"], option["type"], option.get("switch")
            if name in MANAGED:
                if MANAGED[name]:
                    args.append(switch)
                continue
            key = param_name(option)
            values = []
            if kind == "repeatable" and option.get("item") == "layer":
                values = [self.layer_source(l, context, feedback)
                          for l in self.parameterAsLayerList(parameters, key, context)]
            elif kind == "repeatable":
                text = self.parameterAsString(parameters, key, context) or ""
                values = [v.strip() for v in text.splitlines() if v.strip()]
            elif kind == "layer":
                layer = self.parameterAsVectorLayer(parameters, key, context)
                if layer is not None:
                    values = [self.layer_source(layer, context, feedback)]
            elif kind == "file":
                v = self.parameterAsFile(parameters, key, context)
                values = [v] if v else []
            elif kind == "number" and not option.get("items"):
                if parameters.get(key) is not None and parameters.get(key) != "":
                    v = self.parameterAsDouble(parameters, key, context)
                    values = [str(int(v)) if option.get("cli_type", "").split(":")[0] in ("INT", "UINT") else repr(v)]
            elif kind == "enum":
                v = self.parameterAsEnumString(parameters, key, context) if parameters.get(key) is not None else ""
                values = [v] if v else []
            elif kind == "flag":
                if self.parameterAsBoolean(parameters, key, context):
                    args.append(switch)
                continue
            elif kind == "output":
                v = self.parameterAsFileOutput(parameters, key, context) if parameters.get(key) else ""
                if v:
                    values = [v]
                    outputs[key] = v
            else:
                v = self.parameterAsString(parameters, key, context)
                values = [v] if v else []
            if option.get("positional"):
                positional += values
            else:
                for v in values:
                    args += [switch, v]
        return positional, args, outputs

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        positional, args, outputs = self.arguments(parameters, context, feedback)
        argv = [self.executable, self.command["name"]] + positional + args
        feedback.pushCommandInfo(" ".join(argv))
        code, stdout, stderr = self.run_ruimte(argv, feedback)
        if code == 130:
            raise QgsProcessingException("ruimte: interrupted (Cancel); no output was written")
        if code != 0:
            message = "\n".join(line for line in stderr if not PROGRESS.match(line)).strip()
            meaning = self.exit_codes.get(str(code), "unknown")
            raise QgsProcessingException(f"{message}\n(ruimte exit code {code}: {meaning})".strip())
        for line in stdout:
            feedback.pushInfo(line)
        results = dict(outputs)
        results["STDOUT"] = "\n".join(stdout)
        for key, path in outputs.items():
            if path.lower().endswith(".gpkg") and os.path.isfile(path):
                self.load_on_completion(path, context)
        return results

    def run_ruimte(self, argv, feedback):
        """Runs ruimte, passing progress, notes and Cancel through; returns (code, stdout, stderr)."""
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)
        with proc:
            return self.watch(proc, feedback)

    def watch(self, proc, feedback):
        stdout, stderr = [], []

        def read_out():
            for line in proc.stdout:
                stdout.append(line.rstrip("\n"))

        def read_err():
            for line in proc.stderr:
                line = line.rstrip("\n")
                stderr.append(line)
                m = PROGRESS.match(line)
                if m and int(m.group(3)) > 0:
                    feedback.setProgressText(m.group(1))
                    feedback.setProgress(100.0 * int(m.group(2)) / int(m.group(3)))
                elif line.startswith("note: "):
                    feedback.pushInfo(line)

        readers = [threading.Thread(target=read_out, daemon=True), threading.Thread(target=read_err, daemon=True)]
        for r in readers:
            r.start()
        interrupted = False
        while proc.poll() is None:
            if feedback.isCanceled() and not interrupted:
                proc.send_signal(signal.SIGINT)  # ruimte stops, removes its partial output, exits 130
                interrupted = True
            time.sleep(0.05)
        for r in readers:
            r.join(timeout=5)
        return proc.returncode, stdout, stderr

    def load_on_completion(self, path, context):
        """Every layer of an output GeoPackage into the project, in the style ruimte wrote."""
        from osgeo import ogr

        ds = ogr.Open(path)
        if ds is None:
            return
        names = [ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())]
        ds = None
        for name in names:
            if name == "layer_styles":
                continue
            details = QgsProcessingContext.LayerDetails(name, context.project(), name)
            details.forceName = True
            details.setPostProcessor(LoadDefaultStyle.create())
            context.addLayerToLoadOnCompletion(f"{path}|layername={name}", details)

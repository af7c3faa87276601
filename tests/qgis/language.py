"""The language of the ruimte Processing provider in headless PyQGIS (tests/cli/qgis_language.sh
runs this).

Usage: language.py PLUGIN_DIR DESCRIBE_JSON
For every algorithm and every parameter, with QGIS's locale (QgsSettings 'locale/userLocale')
set to each of nl_NL, nl_BE, nl, en_US, de_DE and with RUIMTE_LANG=nl over en_US: compares the
algorithm's summary, each parameter's help and the start of its label with the "nl" or the "en"
text of `ruimte --describe`. Prints one JSON object with what it saw; the shell test checks it.
"""
import json
import os
import sys

from qgis.core import QgsApplication, QgsSettings

from ruimte_provider import start  # noqa: E402 (beside this file)

plugin_dir, describe_json = sys.argv[1:3]
os.environ.pop("RUIMTE_LANG", None)
app, provider = start(plugin_dir)
from ruimte_processing.algorithm import MANAGED, param_name, short_label  # noqa: E402

with open(describe_json, encoding="utf-8") as f:
    described = json.load(f)
registry = QgsApplication.processingRegistry()


def check(expect):
    """Mismatches between what QGIS shows and the `expect` ("nl" or "en") texts."""
    wrong, compared = [], 0
    for command in described["commands"]:
        alg = registry.createAlgorithmById("ruimte:" + command["name"])
        if alg is None:
            wrong.append(f"no algorithm ruimte:{command['name']}")
            continue
        if alg.shortDescription() != command["summary"][expect]:
            wrong.append(f"{command['name']}: summary {alg.shortDescription()!r}")
        for option in command["options"]:
            if option["name"] in MANAGED:
                continue
            p = alg.parameterDefinition(param_name(option))
            if p is None:
                wrong.append(f"{command['name']} {option['name']}: no parameter")
                continue
            compared += 1
            text = option["help"][expect]
            if p.help() != text:
                wrong.append(f"{command['name']} {option['name']}: help {p.help()!r}, not {text!r}")
            label = short_label({**option, "help": {"en": text}}).rsplit(" [", 1)[0]
            if not p.description().startswith(label):
                wrong.append(f"{command['name']} {option['name']}: label {p.description()!r}, not {label!r}...")
    return {"compared": compared, "wrong": wrong[:10], "wrong_count": len(wrong)}


seen = {}
settings = QgsSettings()
for locale, expect in [("nl_NL", "nl"), ("nl_BE", "nl"), ("nl", "nl"), ("en_US", "en"), ("de_DE", "en")]:
    settings.setValue("locale/userLocale", locale)
    seen[locale] = {"expect": expect, **check(expect)}
settings.setValue("locale/userLocale", "en_US")
os.environ["RUIMTE_LANG"] = "nl"
seen["RUIMTE_LANG=nl over en_US"] = {"expect": "nl", **check("nl")}
del os.environ["RUIMTE_LANG"]
alg = registry.createAlgorithmById("ruimte:score")
settings.setValue("locale/userLocale", "nl_NL")
alg_nl = registry.createAlgorithmById("ruimte:score")
seen["score_layer_label"] = {"en": alg.parameterDefinition("LAYER").description(),
                             "nl": alg_nl.parameterDefinition("LAYER").description()}
print(json.dumps(seen, ensure_ascii=False))
sys.stdout.flush()
os._exit(0)

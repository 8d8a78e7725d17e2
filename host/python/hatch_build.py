"""Puts the WebAssembly module into the package when hatchling builds it.

The module is committed once, at host/seclabel.wasm beside this folder; a
wheel or sdist built from the repository takes it from there. An sdist
carries it at src/seclabel/seclabel.wasm, where a wheel built from the
unpacked sdist finds it as ordinary package data.
"""

from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class ModuleHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version, build_data):
        root = Path(self.root)
        source = root.parent / "seclabel.wasm"
        if not source.is_file():
            source = root / "src" / "seclabel" / "seclabel.wasm"
        if not source.is_file():
            raise RuntimeError(
                "seclabel.wasm not found: build from host/python in the seclabel repository "
                "(the module is host/seclabel.wasm) or from an sdist"
            )
        # Forced, because .gitignore keeps the copy in src/ out of the tree
        # and out of ordinary file selection.
        dest = "seclabel/seclabel.wasm" if self.target_name == "wheel" else "src/seclabel/seclabel.wasm"
        build_data["force_include"][str(source)] = dest

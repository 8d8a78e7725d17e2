"""seclabel: FHIR R4 security labeling (HL7 DS4P) from Python.

    from seclabel import Engine
    engine = Engine()
    result = engine.label(bundle)          # a dict, str or bytes
    labeled, report = result["resource"], result["report"]

The engine is seclabel's WebAssembly module (shipped in the package) run in
wasmtime; it answers exactly as the Go engine, the CLI and the JavaScript
package do. The protocol is the one of engine/PROTOCOL.md in the seclabel
repository.
"""

from ._engine import Engine, Json, Resource, Result
from ._errors import SeclabelError

__all__ = ["Engine", "SeclabelError", "Resource", "Result", "Json"]
__version__ = "0.1.0"
